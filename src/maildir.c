/* maildir: not written yet */
