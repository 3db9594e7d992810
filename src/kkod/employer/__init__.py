"""The employer: declaration, submission, import of returned codes, the employee register."""
