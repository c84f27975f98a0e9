using System.Text.Json.Nodes;

namespace KeyRotation.LocalKms;

/// <content>
/// Key state: EnableKey, DisableKey, ScheduleKeyDeletion and CancelKeyDeletion, and how a key state refuses an
/// operation, with the errors and messages of the KMS developer guide's "Key states of KMS keys" table: Disabled
/// answers DisabledException ("&lt;key ARN&gt; is disabled."), every other unusable state KMSInvalidStateException
/// ("... is pending deletion.", "... is pending import.").
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

    private JsonObject SetEnabled(KmsRequest request, bool enabled)
    {
        var key = Resolve(request.RequiredString("KeyId"), allowAlias: false);
        RequireCustomerManaged(key);
        if (key.KeyState is not ("Enabled" or "Disabled"))
        {
            throw KeyStateError(key);
        }

        key.Enabled = enabled;
        return [];
    }

    private JsonObject ScheduleKeyDeletion(KmsRequest request)
    {
        var key = Resolve(request.RequiredString("KeyId"), allowAlias: false);
        RequireCustomerManaged(key);
        var days = request.Int("PendingWindowInDays") ?? 30;
        if (days is < 7 or > 30)
        {
            throw KmsErrorException.Validation("PendingWindowInDays must be between 7 and 30.");
        }

        if (key.DeletionDate is not null || key.AwaitingReplicaDeletion)
        {
            throw KeyStateError(key);
        }

        key.PendingWindowInDays = days;
        if (HasReplicas(key))
        {
            // KMS deletes a primary only after its last replica; the waiting period starts then.
            key.AwaitingReplicaDeletion = true;
            return new JsonObject { ["KeyId"] = key.Arn, ["KeyState"] = key.KeyState, ["PendingWindowInDays"] = days };
        }

        key.DeletionDate = _time.GetUtcNow().AddDays(days);
        return new JsonObject
        {
            ["KeyId"] = key.Arn,
            ["DeletionDate"] = Epoch(key.DeletionDate.Value),
            ["KeyState"] = "PendingDeletion",
            ["PendingWindowInDays"] = days,
        };
    }

    private JsonObject CancelKeyDeletion(KmsRequest request)
    {
        var key = Resolve(request.RequiredString("KeyId"), allowAlias: false);
        RequireCustomerManaged(key);
        if (key.DeletionDate is null && !key.AwaitingReplicaDeletion)
        {
            throw KmsErrorException.InvalidState($"{key.Arn} is not pending deletion.");
        }

        // KMS leaves a key whose deletion was canceled Disabled.
        key.DeletionDate = null;
        key.AwaitingReplicaDeletion = false;
        key.PendingWindowInDays = null;
        key.Enabled = false;
        return new JsonObject { ["KeyId"] = key.Arn };
    }

    private static void RequireCustomerManaged(KmsKey key)
    {
        if (key.KeyManager != "CUSTOMER")
        {
            throw new KmsErrorException("UnsupportedOperationException", $"{key.Arn} is an AWS managed key; this operation is not allowed on it.");
        }
    }

    private static void RequireNotPendingDeletion(KmsKey key)
    {
        if (key.DeletionDate is not null || key.AwaitingReplicaDeletion)
        {
            throw KeyStateError(key);
        }
    }
}
