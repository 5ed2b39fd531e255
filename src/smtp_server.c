/* smtp_server: not written yet */
