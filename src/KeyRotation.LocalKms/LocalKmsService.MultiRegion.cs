using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace KeyRotation.LocalKms;

/// <content>
/// Several Regions in one service, and multi-Region keys. Each Region has its own keys, aliases and
/// import tokens; a request is served in the Region its SigV4 credential scope names. A replica shares
/// its primary's key id, key material and rotation settings, so ciphertext from one Region decrypts in
/// another. Simplified: a replica is Enabled at once (KMS shows Creating for a few seconds), keys with
/// imported material are not replicated, and there is no UpdatePrimaryRegion.
/// </content>
public sealed partial class LocalKmsService
{
    private readonly ConcurrentDictionary<string, KmsErrorException> _regionOutages = new(StringComparer.Ordinal);

    private string CurrentRegion => _region.Name;

    /// <summary>
    /// Every request served in <paramref name="region"/> fails with <paramref name="errorCode"/> (before it
    /// changes anything) until <see cref="EndRegionOutage"/>: a Region that is down while the others work.
    /// </summary>
    public void StartRegionOutage(string region, string errorCode = "KMSInternalException", int statusCode = 500)
    {
        ArgumentException.ThrowIfNullOrEmpty(region);
        ArgumentException.ThrowIfNullOrEmpty(errorCode);
        _regionOutages[region] = new KmsErrorException(errorCode, $"Region {region} is unavailable (LocalKms outage).", statusCode);
    }

    /// <summary>Ends an outage started with <see cref="StartRegionOutage"/>.</summary>
    public void EndRegionOutage(string region) => _regionOutages.TryRemove(region, out _);

    private void ThrowIfRegionOut(string region)
    {
        if (_regionOutages.TryGetValue(region, out var outage))
        {
            throw outage;
        }
    }

    /// <summary>Snapshot of one key in <paramref name="region"/> (id, key ARN, alias name or alias ARN), or null.</summary>
    public LocalKmsKeySnapshot? GetKeySnapshot(string keyId, string region)
    {
        ArgumentNullException.ThrowIfNull(region);
        if (!RegionPattern().IsMatch(region))
        {
            throw new ArgumentException($"'{region}' is not a Region name like us-east-1.", nameof(region));
        }

        lock (_state)
        {
            ExpireLapsedState();
            EnterRegion(region);
            try
            {
                return TryResolve(keyId) is { } key ? Snapshot(key) : null;
            }
            finally
            {
                EnterRegion(Region);
            }
        }
    }

    /// <summary>Makes <paramref name="region"/> the Region that key, alias and import-token lookups see.</summary>
    private void EnterRegion(string region)
    {
        if (!_regions.TryGetValue(region, out var state))
        {
            if (!RegionPattern().IsMatch(region))
            {
                throw KmsErrorException.Validation($"LocalKms serves Regions named like us-east-1; the request was signed for Region '{region}'.");
            }

            state = new RegionState(region);
            _regions.Add(region, state);
        }

        _region = state;
        (_keys, _aliases, _importTokens) = (state.Keys, state.Aliases, state.ImportTokens);
    }

    private IEnumerable<KmsKey> AllKeys() => _regions.Values.SelectMany(r => r.Keys.Values);

    private string KeyArn(string region, string keyId) => $"arn:aws:kms:{region}:{AccountId}:key/{keyId}";

    private static bool HasReplicas(KmsKey key) => key.MultiRegionSet is { } set && !key.IsReplica && set.ReplicaRegions.Count > 0;

    private JsonObject ReplicateKey(KmsRequest request, string? caller)
    {
        var keyId = request.RequiredString("KeyId");
        var replicaRegion = request.RequiredString("ReplicaRegion");
        if (replicaRegion.Length > 32 || !RegionPattern().IsMatch(replicaRegion))
        {
            throw KmsErrorException.Validation($"1 validation error detected: Value '{replicaRegion}' at 'replicaRegion' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([a-z]+-){{2,3}}\\d+$");
        }

        var description = request.String("Description") ?? string.Empty;
        if (description.Length > 8192)
        {
            throw KmsErrorException.Validation("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192");
        }

        var policy = request.String("Policy");
        if (policy is not null)
        {
            KeyPolicyDocument.Validate(policy, request.Bool("BypassPolicyLockoutSafetyCheck"), AccountId, caller);
        }

        var tags = request.Tags("Tags");
        ValidateTags(tags);
        if (tags.Select(t => t.Key).Distinct(StringComparer.Ordinal).Count() > MaxTagsPerKey)
        {
            throw new KmsErrorException("TagException", $"A KMS key can have at most {MaxTagsPerKey} tags.");
        }

        var primary = Resolve(keyId, allowAlias: false);
        var set = primary.MultiRegionSet
            ?? throw new KmsErrorException("UnsupportedOperationException", $"{primary.Arn} is not a multi-Region key. Only a multi-Region primary key can be replicated.");
        if (primary.IsReplica)
        {
            throw new KmsErrorException("UnsupportedOperationException", $"{primary.Arn} is a multi-Region replica key. Replicate its primary key in {set.PrimaryRegion}.");
        }

        if (primary.IsExternal)
        {
            throw new KmsErrorException("UnsupportedOperationException", $"LocalKms does not replicate multi-Region keys with imported key material ({primary.Arn}).");
        }

        RequireEnabled(primary);
        ThrowIfRegionOut(replicaRegion);
        if (replicaRegion == set.PrimaryRegion || set.ReplicaRegions.Contains(replicaRegion))
        {
            throw new KmsErrorException("AlreadyExistsException", $"{KeyArn(replicaRegion, primary.KeyId)} already exists: Region {replicaRegion} already holds {(replicaRegion == set.PrimaryRegion ? "the primary key" : "a replica")} of {primary.KeyId}.");
        }

        var home = CurrentRegion;
        EnterRegion(replicaRegion);
        try
        {
            var replica = NewReplica(primary, policy ?? DefaultPolicy(), description);
            foreach (var tag in tags)
            {
                SetTag(replica, tag.Key, tag.Value);
            }

            _keys.Add(replica.KeyId, replica);
            set.AddReplica(replicaRegion);
            return new JsonObject
            {
                ["ReplicaKeyMetadata"] = Metadata(replica),
                ["ReplicaPolicy"] = replica.Policy,
                ["ReplicaTags"] = new JsonArray([.. replica.Tags.Select(t => (JsonNode)new JsonObject { ["TagKey"] = t.Key, ["TagValue"] = t.Value })]),
            };
        }
        finally
        {
            EnterRegion(home);
        }
    }

    /// <summary>A replica in the current Region: the primary's shared properties, its own policy, description and tags.</summary>
    private KmsKey NewReplica(KmsKey primary, string policy, string description) => new()
    {
        KeyId = primary.KeyId,
        Arn = KeyArn(CurrentRegion, primary.KeyId),
        Region = CurrentRegion,
        CreationDate = _time.GetUtcNow(),
        KeySpec = primary.KeySpec,
        KeyUsage = primary.KeyUsage,
        Origin = primary.Origin,
        KeyManager = primary.KeyManager,
        Policy = policy,
        Description = description,
        MultiRegion = true,
        MultiRegionSet = primary.MultiRegionSet,
        Materials = primary.Materials,
        KeyPair = primary.KeyPair,
    };

    private JsonObject MultiRegionConfiguration(KmsKey key)
    {
        var set = key.MultiRegionSet!;
        return new JsonObject
        {
            ["MultiRegionKeyType"] = key.IsReplica ? "REPLICA" : "PRIMARY",
            ["PrimaryKey"] = new JsonObject { ["Arn"] = KeyArn(set.PrimaryRegion, key.KeyId), [nameof(Region)] = set.PrimaryRegion },
            ["ReplicaKeys"] = new JsonArray([.. set.ReplicaRegions.Select(r => (JsonNode)new JsonObject { ["Arn"] = KeyArn(r, key.KeyId), [nameof(Region)] = r })]),
        };
    }

    /// <summary>
    /// A primary in PendingReplicaDeletion whose last replica is gone becomes PendingDeletion; its waiting
    /// period counts from that replica's deletion. True when any primary changed.
    /// </summary>
    private bool StartPrimaryDeletionsWithoutReplicas()
    {
        var started = false;
        foreach (var key in AllKeys().Where(k => k.AwaitingReplicaDeletion && !HasReplicas(k)))
        {
            key.AwaitingReplicaDeletion = false;
            key.DeletionDate = (key.MultiRegionSet!.LastReplicaDeletedAt ?? _time.GetUtcNow()).AddDays(key.PendingWindowInDays ?? 30);
            started = true;
        }

        return started;
    }

    /// <summary>Rotation settings and material belong to the primary; KMS refuses to change them on a replica.</summary>
    private static void RequireNotReplica(KmsKey key)
    {
        if (key.IsReplica)
        {
            throw new KmsErrorException("UnsupportedOperationException", $"{key.Arn} is a multi-Region replica key. Rotate its primary key in {key.MultiRegionSet!.PrimaryRegion}.");
        }
    }

    [GeneratedRegex(@"^([a-z]+-){2,3}\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex RegionPattern();
}
