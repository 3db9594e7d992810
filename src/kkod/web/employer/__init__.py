"""The employer's workbench in the browser (``kkod employer serve``): a local app on 127.0.0.1."""
