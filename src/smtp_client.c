/* smtp_client: not written yet */
