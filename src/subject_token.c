/* subject_token: not written yet */
