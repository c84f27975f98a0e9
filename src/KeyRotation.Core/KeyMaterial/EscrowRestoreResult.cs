namespace KeyRotation.Core.KeyMaterial;

/// <summary>What a restore did: the key, the escrow object whose material it re-imported, and the key's state after.</summary>
public sealed record EscrowRestoreResult(string KeyId, string KeyArn, string EscrowObjectUri, string KeyState, string? ExpirationModel, DateTimeOffset? ValidTo);

/// <summary>A restore could not be done; the message names why and what to check. Nothing was imported.</summary>
public sealed class EscrowRestoreException : Exception
{
    public EscrowRestoreException(string message)
        : base(message)
    {
    }

    public EscrowRestoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public EscrowRestoreException()
    {
    }
}
