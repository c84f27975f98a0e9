using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace KeyRotation.LocalKms;

/// <content>Alias operations.</content>
public sealed partial class LocalKmsService
{
    private const int MaxAliasesPerKey = 50;

    private JsonObject CreateAlias(KmsRequest request)
    {
        var aliasName = request.RequiredString("AliasName");
        ValidateAliasName(aliasName);
        var target = Resolve(request.RequiredString("TargetKeyId"), allowAlias: false);
        RequireAliasTarget(target);
        if (_aliases.ContainsKey(aliasName))
        {
            throw new KmsErrorException("AlreadyExistsException", $"An alias with the name {AliasArn(aliasName)} already exists");
        }

        if (_aliases.Values.Count(a => a.TargetKeyId == target.KeyId) >= MaxAliasesPerKey)
        {
            throw new KmsErrorException("LimitExceededException", $"A KMS key can have at most {MaxAliasesPerKey} aliases.");
        }

        var now = _time.GetUtcNow();
        _aliases.Add(aliasName, new KmsAlias { AliasName = aliasName, AliasArn = AliasArn(aliasName), TargetKeyId = target.KeyId, CreationDate = now, LastUpdatedDate = now });
        return [];
    }

    private JsonObject UpdateAlias(KmsRequest request)
    {
        var aliasName = request.RequiredString("AliasName");
        ValidateAliasName(aliasName);
        var target = Resolve(request.RequiredString("TargetKeyId"), allowAlias: false);
        if (!_aliases.TryGetValue(aliasName, out var alias))
        {
            throw KmsErrorException.NotFound($"Alias {AliasArn(aliasName)} is not found.");
        }

        RequireAliasTarget(target);
        if (_keys.TryGetValue(alias.TargetKeyId, out var current)
            && (KeySpecs.TypeOf(current.KeySpec) != KeySpecs.TypeOf(target.KeySpec) || current.KeyUsage != target.KeyUsage))
        {
            // KMS: "The current and new KMS key must be the same type (both symmetric or both asymmetric
            // or both HMAC), and they must have the same key usage."
            throw KmsErrorException.Validation(
                $"{target.Arn} ({KeySpecs.TypeOf(target.KeySpec)}, {target.KeyUsage}) is not the same key type and key usage as the current target {current.Arn} ({KeySpecs.TypeOf(current.KeySpec)}, {current.KeyUsage}).");
        }

        alias.TargetKeyId = target.KeyId;
        alias.LastUpdatedDate = _time.GetUtcNow();
        return [];
    }

    private JsonObject DeleteAlias(KmsRequest request)
    {
        var aliasName = request.RequiredString("AliasName");
        ValidateAliasName(aliasName);
        if (!_aliases.Remove(aliasName))
        {
            throw KmsErrorException.NotFound($"Alias {AliasArn(aliasName)} is not found.");
        }

        return [];
    }

    private JsonObject ListAliases(KmsRequest request)
    {
        IEnumerable<KmsAlias> aliases = _aliases.Values;
        var keyId = request.String("KeyId");
        if (keyId is not null)
        {
            var key = Resolve(keyId, allowAlias: false);
            aliases = aliases.Where(a => a.TargetKeyId == key.KeyId);
        }

        var entries = aliases.OrderBy(a => a.AliasName, StringComparer.Ordinal)
            .Select(a => (JsonNode)new JsonObject
            {
                ["AliasName"] = a.AliasName,
                ["AliasArn"] = a.AliasArn,
                ["TargetKeyId"] = a.TargetKeyId,
                ["CreationDate"] = Epoch(a.CreationDate),
                ["LastUpdatedDate"] = Epoch(a.LastUpdatedDate),
            })
            .ToList();
        return KmsPage.Of(request, entries, "Aliases", maxLimit: 100, defaultLimit: 50);
    }

    /// <summary>
    /// Length, pattern and the "alias/" prefix are ValidationException; a ':' in the name is
    /// InvalidAliasNameException; the reserved "alias/aws/" prefix is NotAuthorizedException.
    /// </summary>
    private static void ValidateAliasName(string aliasName)
    {
        if (aliasName.Length > 256 || !AliasPattern().IsMatch(aliasName))
        {
            throw KmsErrorException.Validation($"1 validation error detected: Value '{aliasName}' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$");
        }

        if (!aliasName.StartsWith("alias/", StringComparison.Ordinal) || aliasName.Length == "alias/".Length)
        {
            // What real KMS answers (seen in public error reports): a ValidationException, not InvalidAliasNameException.
            throw KmsErrorException.Validation("Alias must start with the prefix \"alias/\". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html");
        }

        if (aliasName.Contains(':', StringComparison.Ordinal))
        {
            throw new KmsErrorException("InvalidAliasNameException", $"{aliasName} contains invalid characters for an alias");
        }

        if (aliasName.StartsWith("alias/aws/", StringComparison.Ordinal))
        {
            throw new KmsErrorException("NotAuthorizedException", $"{aliasName}: the alias/aws/ prefix is reserved for AWS managed keys.");
        }
    }

    private static void RequireAliasTarget(KmsKey target)
    {
        if (target.KeyManager != "CUSTOMER")
        {
            throw new KmsErrorException("NotAuthorizedException", $"{target.Arn} is an AWS managed key; aliases can only point at customer managed keys.");
        }

        RequireNotPendingDeletion(target);
    }

    [GeneratedRegex("^[a-zA-Z0-9:/_-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex AliasPattern();
}
