"""Members' photos: checked, re-encoded without metadata, stored under the upload folder, served by features."""
