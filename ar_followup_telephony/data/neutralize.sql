-- a neutralized copy of the database must not place calls through the company's
-- telephony account, nor accept its status callbacks
UPDATE ar_followup_channel
   SET call_provider = 'none',
       call_callback_token = NULL,
       exotel_sid = NULL,
       exotel_api_key = NULL,
       exotel_api_token = NULL,
       knowlarity_api_key = NULL,
       knowlarity_sr_key = NULL
 WHERE code = 'call';
