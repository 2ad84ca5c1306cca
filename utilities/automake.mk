# dovetail-ctl, the database command line, and the quick-start scripts.
