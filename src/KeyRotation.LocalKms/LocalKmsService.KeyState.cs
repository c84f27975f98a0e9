namespace KeyRotation.LocalKms;

/// <content>
/// How a key state refuses an operation, with the errors and messages of the KMS developer guide's
/// "Key states of KMS keys" table: Disabled answers DisabledException ("&lt;key ARN&gt; is disabled."),
/// every other unusable state KMSInvalidStateException ("... is pending deletion.", "... is pending import.").
/// </content>
public sealed partial class LocalKmsService
{
    /// <summary>The operation needs an Enabled key (cryptographic operations, rotation, replication).</summary>
    private static void RequireEnabled(KmsKey key)
    {
        if (key.KeyState != "Enabled")
        {
            throw KeyStateError(key);
        }
    }

    /// <summary>The error KMS answers when <paramref name="key"/>'s state does not allow an operation.</summary>
    private static KmsErrorException KeyStateError(KmsKey key) => key.KeyState switch
    {
        "Disabled" => new KmsErrorException("DisabledException", $"{key.Arn} is disabled."),
        "PendingDeletion" => KmsErrorException.InvalidState($"{key.Arn} is pending deletion."),
        "PendingReplicaDeletion" => KmsErrorException.InvalidState($"{key.Arn} is pending replica deletion."),
        "PendingImport" => KmsErrorException.InvalidState($"{key.Arn} is pending import."),
        _ => KmsErrorException.InvalidState($"{key.Arn} is {key.KeyState}."),
    };
}
