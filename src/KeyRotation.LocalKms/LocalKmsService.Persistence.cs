using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace KeyRotation.LocalKms;

/// <summary>
/// The service's state as one JSON document, so a LocalKms can stop and start again where it was: the standalone
/// server's --data file and the CLI sandbox's state file both use it. It holds every Region's keys (tags, deletion
/// dates, every key material with its id, state, expiry and rotation date, the rotation settings), aliases and grants,
/// and the multi-Region sets (primary Region, replica Regions, and the materials their keys share). Outstanding
/// import tokens are not kept: they last minutes and a restart asks for new ones. The document format is
/// <see cref="LocalKmsStateJson"/>'s.
/// </summary>
public sealed partial class LocalKmsService
{
    /// <summary>2: Regions, key materials, multi-Region sets and grants per Region (1 kept one Region and one material).</summary>
    private const int StateVersion = 2;

    /// <summary>Everything needed to rebuild this service's keys, aliases and grants; it holds key material in clear (local use only).</summary>
    public string ExportState()
    {
        lock (_state)
        {
            // Materials and key pairs of a multi-Region set are one instance shared by its keys: saved once, with the set.
            var sets = new JsonArray();
            var saved = new HashSet<MultiRegionKeySet>();
            foreach (var key in AllKeys().Where(k => k.MultiRegionSet is not null).OrderBy(k => k.KeyId, StringComparer.Ordinal))
            {
                if (saved.Add(key.MultiRegionSet!))
                {
                    sets.Add(LocalKmsStateJson.ExportSet(key));
                }
            }

            var regions = new JsonArray();
            foreach (var region in _regions.Values.Where(r => r.Keys.Count > 0).OrderBy(r => r.Name, StringComparer.Ordinal))
            {
                regions.Add(LocalKmsStateJson.ExportRegion(region));
            }

            return new JsonObject
            {
                ["Version"] = StateVersion,
                [nameof(AccountId)] = AccountId,
                [nameof(Region)] = Region,
                ["MultiRegionSets"] = sets,
                ["Regions"] = regions,
            }.ToJsonString();
        }
    }

    /// <summary>
    /// Replaces this service's keys, aliases and grants, in every Region, with those of <paramref name="json"/> (from
    /// <see cref="ExportState"/>). A document that is not such a state, or was written for another account or default
    /// Region, is refused and changes nothing.
    /// </summary>
    public void ImportState(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var regions = ParseState(json);
        lock (_state)
        {
            foreach (var token in _regions.Values.SelectMany(r => r.ImportTokens.Values))
            {
                token.WrappingKey.Dispose();
            }

            _regions.Clear();
            foreach (var region in regions)
            {
                _regions.Add(region.Name, region);
            }

            EnterRegion(Region);
        }
    }

    private List<RegionState> ParseState(string json)
    {
        try
        {
            var root = JsonNode.Parse(json)?.AsObject() ?? throw new FormatException("the document is empty");
            if (root["Version"] is not JsonValue version || !version.TryGetValue<int>(out var number) || number != StateVersion)
            {
                throw new FormatException($"it is not a LocalKms state of version {StateVersion}");
            }

            if ((string?)root[nameof(AccountId)] != AccountId || (string?)root[nameof(Region)] != Region)
            {
                throw new FormatException($"it holds account {(string?)root[nameof(AccountId)]} in {(string?)root[nameof(Region)]}, not account {AccountId} in {Region}");
            }

            var sets = new Dictionary<string, LocalKmsStateJson.SharedKeyParts>(StringComparer.Ordinal);
            foreach (var node in root["MultiRegionSets"]!.AsArray())
            {
                var (keyId, parts) = LocalKmsStateJson.ImportSet(node!.AsObject(), RegionPattern().IsMatch);
                if (!sets.TryAdd(keyId, parts))
                {
                    throw new FormatException($"multi-Region key {keyId} is listed twice");
                }
            }

            var regions = new List<RegionState>();
            foreach (var node in root["Regions"]!.AsArray())
            {
                var region = ParseRegion(node!.AsObject(), sets);
                if (regions.Exists(r => r.Name == region.Name))
                {
                    throw new FormatException($"Region {region.Name} is listed twice");
                }

                regions.Add(region);
            }

            return regions;
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or FormatException or InvalidOperationException or NullReferenceException or CryptographicException or ArgumentException)
        {
            throw new FormatException($"Not a usable LocalKms state: {ex.Message}", ex);
        }
    }

    private RegionState ParseRegion(JsonObject node, Dictionary<string, LocalKmsStateJson.SharedKeyParts> sets)
    {
        var name = LocalKmsStateJson.Required(node, "Name");
        if (!RegionPattern().IsMatch(name))
        {
            throw new FormatException($"'{name}' is not a Region name like us-east-1");
        }

        var region = new RegionState(name);
        foreach (var keyNode in node["Keys"]!.AsArray())
        {
            var key = LocalKmsStateJson.ImportKey(keyNode!.AsObject(), name, id => KeyArn(name, id), sets);
            if (!region.Keys.TryAdd(key.KeyId, key))
            {
                throw new FormatException($"key {key.KeyId} is listed twice in {name}");
            }
        }

        foreach (var aliasNode in node["Aliases"]!.AsArray())
        {
            var alias = LocalKmsStateJson.ImportAlias(aliasNode!.AsObject(), aliasName => $"arn:aws:kms:{name}:{AccountId}:{aliasName}");
            if (!region.Keys.ContainsKey(alias.TargetKeyId))
            {
                throw new FormatException($"alias {alias.AliasName} in {name} points at key {alias.TargetKeyId}, which is not in that Region's state");
            }

            if (!region.Aliases.TryAdd(alias.AliasName, alias))
            {
                throw new FormatException($"alias {alias.AliasName} is listed twice in {name}");
            }
        }

        foreach (var (keyId, grants) in node["Grants"]?.AsObject() ?? [])
        {
            region.Grants[region.Keys.ContainsKey(keyId) ? keyId : throw new FormatException($"grants in {name} name key {keyId}, which is not in that Region's state")] =
                [.. grants!.AsArray().Select(g => g!.DeepClone().AsObject())];
        }

        return region;
    }
}
