-- a neutralized copy of the database must not reach customers through channels that
-- cost money or call outside services (Odoo's own neutralization stops e-mail)
UPDATE ar_followup_channel
   SET state = 'disabled'
 WHERE code != 'email' AND state = 'enabled';
