using System.Text.Json.Nodes;

namespace KeyRotation.LocalKms;

/// <summary>
/// ListGrants, as the KMS API reference shows it: the key by key id or key ARN (not an alias), optional GrantId and
/// GranteePrincipal filters, Limit 1 to 100 (default 50) and Marker paging; the answer is Grants (GrantListEntry
/// objects), Truncated and, when truncated, NextMarker. LocalKms has no CreateGrant: grants are put on a key with
/// <see cref="AddGrant"/> by tests, and a key has none otherwise. Grants belong to a Region (<see cref="RegionState.Grants"/>):
/// the keys of a multi-Region set share their key id, not their grants.
/// </summary>
public sealed partial class LocalKmsService
{
    /// <summary>
    /// Puts a grant on a key in <paramref name="region"/> (default: the service's Region), as CreateGrant would (for
    /// tests: the rotation never creates grants). Returns the grant id.
    /// </summary>
    public string AddGrant(string keyId, string granteePrincipal, IReadOnlyList<string> operations, string? name = null, string? retiringPrincipal = null, IReadOnlyDictionary<string, string>? encryptionContextSubset = null, string? region = null)
    {
        ArgumentNullException.ThrowIfNull(operations);
        if (region is not null && !RegionPattern().IsMatch(region))
        {
            throw new ArgumentException($"'{region}' is not a Region name like us-east-1.", nameof(region));
        }

        lock (_state)
        {
            EnterRegion(region ?? Region);
            try
            {
                return AddGrantInRegion(Resolve(keyId, allowAlias: false), granteePrincipal, operations, name, retiringPrincipal, encryptionContextSubset);
            }
            finally
            {
                EnterRegion(Region);
            }
        }
    }

    private string AddGrantInRegion(KmsKey key, string granteePrincipal, IReadOnlyList<string> operations, string? name, string? retiringPrincipal, IReadOnlyDictionary<string, string>? encryptionContextSubset)
    {
        var grantId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var entry = new JsonObject
        {
            ["KeyId"] = key.Arn,
            ["GrantId"] = grantId,
            ["CreationDate"] = Epoch(_time.GetUtcNow()),
            ["GranteePrincipal"] = granteePrincipal,
            ["IssuingAccount"] = $"arn:aws:iam::{AccountId}:root",
            ["Operations"] = new JsonArray([.. operations.Select(o => (JsonNode)o)]),
        };
        if (name is not null)
        {
            entry["Name"] = name;
        }

        if (retiringPrincipal is not null)
        {
            entry["RetiringPrincipal"] = retiringPrincipal;
        }

        if (encryptionContextSubset is not null)
        {
            var context = new JsonObject();
            foreach (var (k, v) in encryptionContextSubset)
            {
                context[k] = v;
            }

            entry["Constraints"] = new JsonObject { ["EncryptionContextSubset"] = context };
        }

        if (!_region.Grants.TryGetValue(key.KeyId, out var list))
        {
            _region.Grants[key.KeyId] = list = [];
        }

        list.Add(entry);
        return grantId;
    }

    private JsonObject ListGrants(KmsRequest request)
    {
        var key = Resolve(request.RequiredString("KeyId"), allowAlias: false);
        var grantId = request.String("GrantId");
        if (grantId is { Length: < 1 or > 128 })
        {
            throw new KmsErrorException("InvalidGrantIdException", $"Grant id '{grantId}' is not valid.");
        }

        var grantee = request.String("GranteePrincipal");
        if (grantee is { Length: < 1 or > 256 })
        {
            throw KmsErrorException.Validation("1 validation error detected: Value at 'granteePrincipal' failed to satisfy constraint: Member must have length between 1 and 256");
        }

        var entries = (_region.Grants.GetValueOrDefault(key.KeyId) ?? [])
            .Where(g => grantId is null || (string?)g["GrantId"] == grantId)
            .Where(g => grantee is null || (string?)g["GranteePrincipal"] == grantee)
            .Select(g => g.DeepClone())
            .ToList();
        return KmsPage.Of(request, entries, "Grants", maxLimit: 100, defaultLimit: 50);
    }
}
