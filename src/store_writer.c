/* store_writer: not written yet */
