using System.Text.Json.Nodes;

namespace KeyRotation.LocalKms;

/// <content>
/// KMS's eventual consistency of authorization: a change to a key's tags or aliases can take up to five minutes to
/// count for aws:ResourceTag and kms:ResourceAliases conditions, so a role reaching a key through them is denied for a
/// while. Simulated for every caller except the admin, on keys created, tagged or aliased less than
/// <see cref="AuthorizationDelay"/> ago.
/// </content>
public sealed partial class LocalKmsService
{
    private readonly Dictionary<string, DateTimeOffset> _authorizationChangedAt = new(StringComparer.Ordinal);

    /// <summary>How long after a key's tags or aliases changed non-admin callers are denied on it (zero: never).</summary>
    public TimeSpan AuthorizationDelay { get; set; }

    /// <summary>The access key id of the admin, who is never denied (the in-process clients use "test").</summary>
    public string AdminAccessKeyId { get; set; } = "test";

    /// <summary>Called with the operation each time a call is denied for the delay (for example to advance a fake clock).</summary>
    public Action<string>? OnAuthorizationDenied { get; set; }

    private void DenyWhileAuthorizationPropagates(string operation, KmsRequest request, string? caller)
    {
        if (AuthorizationDelay <= TimeSpan.Zero || caller is null || caller == AdminAccessKeyId)
        {
            return;
        }

        foreach (var name in new[] { "KeyId", "TargetKeyId" })
        {
            if (request.String(name) is { } reference && TryResolve(reference) is { } key)
            {
                DenyWhileAuthorizationPropagates(operation, operation, key, caller);
            }
        }
    }

    /// <summary>
    /// Denies <paramref name="caller"/> the permission <paramref name="action"/> ("ReEncryptFrom") on
    /// <paramref name="key"/> while the key's authorization change propagates; for operations that find a key
    /// elsewhere than in KeyId (ReEncrypt's source key comes from the ciphertext).
    /// </summary>
    private void DenyWhileAuthorizationPropagates(string operation, string action, KmsKey key, string? caller)
    {
        if (AuthorizationDelay <= TimeSpan.Zero || caller is null || caller == AdminAccessKeyId)
        {
            return;
        }

        if (_authorizationChangedAt.TryGetValue(key.KeyId, out var changed) && _time.GetUtcNow() - changed < AuthorizationDelay)
        {
            OnAuthorizationDenied?.Invoke(operation);
            throw new KmsErrorException(
                "AccessDeniedException",
                $"User: arn:aws:sts::{AccountId}:assumed-role/{caller} is not authorized to perform: kms:{action} on resource: {key.Arn} because no identity-based policy allows the kms:{action} action");
        }
    }

    private void NoteAuthorizationChange(string operation, KmsRequest request, JsonObject result)
    {
        var changed = operation switch
        {
            "CreateKey" => result["KeyMetadata"]?["KeyId"]?.GetValue<string>(),
            "TagResource" or "UntagResource" => request.String("KeyId"),
            "CreateAlias" or "UpdateAlias" => request.String("TargetKeyId"),
            _ => null,
        };
        if (changed is not null && TryResolve(changed) is { } key)
        {
            _authorizationChangedAt[key.KeyId] = _time.GetUtcNow();
        }
    }
}
