"""The ministry's web console (``kkod ministry serve``) and the employers' status page."""
