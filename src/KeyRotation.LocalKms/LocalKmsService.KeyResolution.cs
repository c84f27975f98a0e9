namespace KeyRotation.LocalKms;

/// <content>Finding the key a request names: key id, key ARN, alias name or alias ARN, in the current Region.</content>
public sealed partial class LocalKmsService
{
    /// <summary>
    /// Resolves a key id, key ARN and, when allowed, alias name or alias ARN. Operations that accept
    /// only key id or key ARN answer NotFoundException ("Invalid keyId") for an alias.
    /// </summary>
    private KmsKey Resolve(string keyId, bool allowAlias)
    {
        if (IsAliasReference(keyId) && !allowAlias)
        {
            throw KmsErrorException.NotFound($"Invalid keyId {keyId}: this operation accepts a key id or key ARN, not an alias.");
        }

        if (keyId.StartsWith("arn:", StringComparison.Ordinal) && !IsKmsArn(keyId))
        {
            throw new KmsErrorException("InvalidArnException", $"{keyId} is not a valid KMS ARN.");
        }

        return TryResolve(keyId) ?? throw KmsErrorException.NotFound(
            IsAliasReference(keyId) ? $"Alias {ToAliasArn(keyId)} is not found." : $"Key '{ToKeyArn(keyId)}' does not exist");
    }

    private KmsKey? TryResolve(string keyId)
    {
        var keyArnPrefix = $"arn:aws:kms:{CurrentRegion}:{AccountId}:key/";
        var aliasArnPrefix = $"arn:aws:kms:{CurrentRegion}:{AccountId}:";
        if (keyId.StartsWith(keyArnPrefix, StringComparison.Ordinal))
        {
            return _keys.GetValueOrDefault(keyId[keyArnPrefix.Length..]);
        }

        if (keyId.StartsWith(aliasArnPrefix + "alias/", StringComparison.Ordinal))
        {
            keyId = keyId[aliasArnPrefix.Length..];
        }

        if (keyId.StartsWith("alias/", StringComparison.Ordinal))
        {
            return _aliases.TryGetValue(keyId, out var alias) ? _keys.GetValueOrDefault(alias.TargetKeyId) : null;
        }

        return keyId.StartsWith("arn:", StringComparison.Ordinal) ? null : _keys.GetValueOrDefault(keyId);
    }

    private static bool IsAliasReference(string keyId) =>
        keyId.StartsWith("alias/", StringComparison.Ordinal)
        || (keyId.StartsWith("arn:", StringComparison.Ordinal) && keyId.Contains(":alias/", StringComparison.Ordinal));

    private static bool IsKmsArn(string arn)
    {
        var parts = arn.Split(':', 6);
        return parts.Length == 6 && parts[2] == "kms"
            && (parts[5].StartsWith("key/", StringComparison.Ordinal) || parts[5].StartsWith("alias/", StringComparison.Ordinal));
    }

    private string ToKeyArn(string keyId) =>
        keyId.StartsWith("arn:", StringComparison.Ordinal) ? keyId : KeyArn(CurrentRegion, keyId);

    private string ToAliasArn(string alias) =>
        alias.StartsWith("arn:", StringComparison.Ordinal) ? alias : AliasArn(alias);

    private string AliasArn(string aliasName) => $"arn:aws:kms:{CurrentRegion}:{AccountId}:{aliasName}";
}
