namespace KeyRotation.Core;
