namespace KeyRotation.Core.Protocol;

/// <summary>Goes on with a new key under the claim a material move holds (auto, when KMS refused the rotation); the text says why.</summary>
internal delegate Task<AliasRotationResult> NewKeyFallback(RunClaim claim, string why);
