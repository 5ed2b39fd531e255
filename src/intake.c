/* intake: not written yet */
