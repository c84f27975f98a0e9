namespace KeyRotation.Core.Reencryption;

/// <summary>What re-encrypting one stored ciphertext came to; the names follow rotate's outcomes.</summary>
internal enum ReencryptionOutcome
{
    /// <summary>KMS re-encrypted it under the current key (or under the current key's newest material).</summary>
    ReEncrypted,

    /// <summary>Already under the current key and material with the same encryption context: the ciphertext is kept as it was.</summary>
    Skipped,

    /// <summary>Dry run: KMS answered that the ReEncrypt would succeed; nothing was produced.</summary>
    Planned,

    /// <summary>Not re-encrypted: KMS refused it, or it is under a key of another alias.</summary>
    Failed,
}

/// <summary>
/// The result for one ciphertext: <see cref="Ciphertext"/> is the one to store from now on (the new one, or for
/// <see cref="ReencryptionOutcome.Skipped"/> the one given), null when there is none; <see cref="SourceKeyArn"/> the
/// key KMS found the ciphertext under, when it said; <see cref="Reason"/> in words a person can act on.
/// </summary>
internal sealed record ReencryptionResult(ReencryptionOutcome Outcome, string Reason)
{
    public byte[]? Ciphertext { get; init; }

    public string? SourceKeyArn { get; init; }
}

/// <summary>
/// The encryption context KMS must see to decrypt the ciphertext (<see cref="Source"/>) and the one the new ciphertext
/// is bound to (<see cref="Destination"/>); the same unless the operator changes it. Empty is no context.
/// </summary>
internal sealed record ReencryptionContexts(IReadOnlyDictionary<string, string> Source, IReadOnlyDictionary<string, string> Destination)
{
    public static ReencryptionContexts None { get; } = new(new Dictionary<string, string>(), new Dictionary<string, string>());

    /// <summary>True when the new ciphertext is bound to the context the stored one was.</summary>
    public bool Unchanged => Source.Count == Destination.Count && Source.All(s => Destination.TryGetValue(s.Key, out var value) && value == s.Value);
}
