/* ticket: not written yet */
