-- a neutralized copy must neither reach customers nor hold Meta credentials
UPDATE ar_followup_channel
   SET wa_access_token = NULL,
       wa_app_secret = NULL,
       wa_verify_token = NULL,
       state = CASE WHEN state = 'enabled' THEN 'disabled' ELSE state END
 WHERE code = 'whatsapp';
