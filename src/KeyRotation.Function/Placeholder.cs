namespace KeyRotation.Function;
