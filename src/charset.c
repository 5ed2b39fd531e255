/* charset: not written yet */
