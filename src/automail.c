/* automail: not written yet */
