using System.Text.Json.Nodes;

namespace KeyRotation.Function.Tests.Iam;

/// <summary>A KMS key of the simulated account: where it lives, its aliases' owner, tags and key policy.</summary>
internal sealed record SimulatedKey(string Name, string Account, string Region, IReadOnlyDictionary<string, string> Tags, string PolicyJson, bool PreExisting)
{
    public string Arn => $"arn:aws:kms:{Region}:{Account}:key/{Name}";

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, IamPolicy> Parsed = new(StringComparer.Ordinal);

    public IamPolicy Policy => Parsed.GetOrAdd(PolicyJson, IamPolicy.Parse);
}

/// <summary>An alias, in one account and Region, pointing at a key of the same account and Region.</summary>
internal sealed record SimulatedAlias(string Account, string Region, string Name, string KeyName)
{
    public string Arn => $"arn:aws:kms:{Region}:{Account}:{Name}";
}

/// <summary>
/// A small KMS world the rotation role acts in: keys with aliases, tags and key policies. Each request is authorized
/// as KMS does (<see cref="KmsAuthorization"/>), with the context keys KMS sends for it; an allowed request changes the
/// state, a denied one changes nothing. Immutable: every allowed request returns a new account.
/// </summary>
internal sealed class SimulatedAccount
{
    private SimulatedAccount(KmsAuthorization kms, string region, IReadOnlyList<SimulatedKey> keys, IReadOnlyList<SimulatedAlias> aliases, int created)
    {
        Kms = kms;
        Region = region;
        Keys = keys;
        Aliases = aliases;
        Created = created;
    }

    public KmsAuthorization Kms { get; }

    /// <summary>The Region the role calls (its stack's).</summary>
    public string Region { get; }

    public IReadOnlyList<SimulatedKey> Keys { get; }

    public IReadOnlyList<SimulatedAlias> Aliases { get; }

    /// <summary>How many keys the role created (the newest is named new-&lt;n&gt;).</summary>
    public int Created { get; }

    public string Account => Kms.Account;

    public static SimulatedAccount Empty(KmsAuthorization kms, string region) => new(kms, region, [], [], 0);

    /// <summary>The key of that name; of a multi-Region key (one name in several Regions), the one in the Region the role calls.</summary>
    public SimulatedKey Key(string name) =>
        Keys.SingleOrDefault(k => k.Name == name && k.Region == Region) ?? Keys.Single(k => k.Name == name);

    /// <summary>The same keys and aliases, with the role's requests sent to <paramref name="region"/> (a replica's Region).</summary>
    public SimulatedAccount InRegion(string region) => new(Kms, region, Keys, Aliases, Created);

    /// <summary>
    /// ReplicateKey of <paramref name="primary"/> (sent to its Region) into <paramref name="replicaRegion"/>, as the KMS API
    /// reference lists its permissions: kms:ReplicateKey on the primary (key policy and IAM); kms:CreateKey and, with tags,
    /// kms:TagResource in an IAM policy in the replica Region; then the lockout check on the replica's policy there.
    /// Assumption (not documented by KMS): that CreateKey carries aws:RequestedRegion = the replica Region,
    /// kms:MultiRegion = true and the request's tags.
    /// </summary>
    public (bool Allowed, SimulatedAccount After) ReplicateKey(SimulatedKey primary, string replicaRegion, string policyJson, IReadOnlyDictionary<string, string> tags)
    {
        var replica = new SimulatedKey(primary.Name, Account, replicaRegion, new Dictionary<string, string>(tags), policyJson, PreExisting: false);
        var there = InRegion(replicaRegion);
        var context = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
        {
            ["kms:CallerAccount"] = [Account],
            ["aws:RequestedRegion"] = [replicaRegion],
            ["kms:MultiRegion"] = ["true"],
            ["kms:MultiRegionKeyType"] = ["REPLICA"],
            ["kms:KeySpec"] = ["SYMMETRIC_DEFAULT"],
            ["kms:KeyUsage"] = ["ENCRYPT_DECRYPT"],
            ["kms:KeyOrigin"] = ["AWS_KMS"],
        };
        foreach (var (requestKey, values) in TagRequestKeys(tags))
        {
            context[requestKey] = values;
        }

        var allowed = primary.Region == Region
            && !Keys.Any(k => k.Name == primary.Name && k.Region == replicaRegion)
            && Allows("kms:ReplicateKey", primary, [("kms:ReplicaRegion", [replicaRegion]), .. TagRequestKeys(tags)])
            && Kms.AllowsByIam(new IamRequest(Kms.RoleArn, "kms:CreateKey", "*", context))
            && (tags.Count == 0 || Kms.AllowsByIam(new IamRequest(Kms.RoleArn, "kms:TagResource", replica.Arn, context)))
            && there.PassesLockoutCheck(replica);
        return allowed ? (true, new(Kms, Region, [.. Keys, replica], Aliases, Created)) : (false, this);
    }

    /// <summary>The same keys and aliases, with requests made by another role (the retention role after the rotation role).</summary>
    public SimulatedAccount As(KmsAuthorization kms) => new(kms, Region, Keys, Aliases, Created);

    /// <summary>DeleteAlias: the alias resource (IAM only) and the key it points at.</summary>
    public (bool Allowed, SimulatedAccount After) DeleteAlias(string aliasName)
    {
        var alias = Aliases.SingleOrDefault(a => a.Account == Account && a.Region == Region && a.Name == aliasName);
        var allowed = alias is not null
            && Kms.AllowsByIam(AliasRequest("kms:DeleteAlias", alias))
            && Allows("kms:DeleteAlias", Key(alias.KeyName));
        return allowed ? (true, new(Kms, Region, Keys, [.. Aliases.Where(a => a != alias)], Created)) : (false, this);
    }

    public SimulatedKey? NewestCreated => Created == 0 ? null : Key($"new-{Created}");

    public SimulatedAccount WithKey(string name, string policyJson, IReadOnlyDictionary<string, string>? tags = null, string? account = null, string? region = null) =>
        new(Kms, Region, [.. Keys, new SimulatedKey(name, account ?? Account, region ?? Region, tags ?? new Dictionary<string, string>(), policyJson, PreExisting: true)], Aliases, Created);

    public SimulatedAccount WithAlias(string aliasName, string keyName)
    {
        var key = Key(keyName);
        return new(Kms, Region, Keys, [.. Aliases, new SimulatedAlias(key.Account, key.Region, aliasName, keyName)], Created);
    }

    public IReadOnlyList<string> AliasesOf(SimulatedKey key) =>
        [.. Aliases.Where(a => a.KeyName == key.Name && a.Region == key.Region && a.Account == key.Account).Select(a => a.Name)];

    /// <summary>
    /// The request context KMS builds for an action on a key, plus the request's own keys. A request on a key is sent to
    /// the key's Region (KMS finds a key only in the Region the request is sent to).
    /// </summary>
    public IamRequest KeyRequest(string action, SimulatedKey key, params (string Key, string[] Values)[] requestKeys)
    {
        var context = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
        {
            ["kms:CallerAccount"] = [Account],
            ["aws:RequestedRegion"] = [key.Region],
            ["kms:KeyOrigin"] = ["AWS_KMS"],
            ["kms:KeySpec"] = ["SYMMETRIC_DEFAULT"],
            ["kms:KeyUsage"] = ["ENCRYPT_DECRYPT"],
            ["kms:MultiRegion"] = ["false"],
        };
        var aliases = AliasesOf(key);
        if (aliases.Count > 0)
        {
            context["kms:ResourceAliases"] = aliases;
        }

        foreach (var (tag, value) in key.Tags)
        {
            context["aws:ResourceTag/" + tag] = [value];
        }

        foreach (var (name, values) in requestKeys)
        {
            context[name] = values;
        }

        return new IamRequest(Kms.RoleArn, action, key.Arn, context);
    }

    /// <summary>A request on a key: KMS's key policy rules and the role's IAM policy.</summary>
    public bool Allows(string action, SimulatedKey key, params (string Key, string[] Values)[] requestKeys) =>
        Kms.AllowsOnKey(KeyRequest(action, key, requestKeys), key.Policy, key.Account);

    public (bool Allowed, SimulatedAccount After) TagResource(SimulatedKey key, IReadOnlyDictionary<string, string> tags)
    {
        if (!Allows("kms:TagResource", key, TagRequestKeys(tags)))
        {
            return (false, this);
        }

        var merged = new Dictionary<string, string>(key.Tags);
        foreach (var (tag, value) in tags)
        {
            merged[tag] = value;
        }

        return (true, Replace(key, key with { Tags = merged }));
    }

    public (bool Allowed, SimulatedAccount After) PutKeyPolicy(SimulatedKey key, string policyJson)
    {
        var allowed = Allows("kms:PutKeyPolicy", key, ("kms:BypassPolicyLockoutSafetyCheck", ["false"]))
            && PassesLockoutCheck(key with { PolicyJson = policyJson });
        return allowed ? (true, Replace(key, key with { PolicyJson = policyJson })) : (false, this);
    }

    /// <summary>CreateAlias: the alias resource (IAM only) and the target key; the alias must not exist yet.</summary>
    public (bool Allowed, SimulatedAccount After) CreateAlias(string aliasName, SimulatedKey target)
    {
        var alias = new SimulatedAlias(target.Account, target.Region, aliasName, target.Name);
        var allowed = !Aliases.Any(a => a.Account == alias.Account && a.Region == alias.Region && a.Name == aliasName)
            && Kms.AllowsByIam(AliasRequest("kms:CreateAlias", alias))
            && Allows("kms:CreateAlias", target);
        return allowed ? (true, new(Kms, Region, Keys, [.. Aliases, alias], Created)) : (false, this);
    }

    /// <summary>UpdateAlias: the alias resource (IAM only), the key it points at now and the new target key.</summary>
    public (bool Allowed, SimulatedAccount After) UpdateAlias(string aliasName, SimulatedKey target)
    {
        var alias = Aliases.SingleOrDefault(a => a.Account == target.Account && a.Region == target.Region && a.Name == aliasName);
        var allowed = alias is not null
            && Kms.AllowsByIam(AliasRequest("kms:UpdateAlias", alias))
            && Allows("kms:UpdateAlias", Key(alias.KeyName))
            && Allows("kms:UpdateAlias", target);
        return allowed ? (true, new(Kms, Region, Keys, [.. Aliases.Select(a => a == alias ? a with { KeyName = target.Name } : a)], Created)) : (false, this);
    }

    /// <summary>
    /// CreateKey in the role's Region: CreateKey on "*" and, with tags, TagResource (both IAM only, as KMS requires for
    /// tagging during CreateKey), then the key policy lockout safety check on the new key. Assumption (not documented by
    /// KMS): the lockout check sees the new key without aliases or tags.
    /// </summary>
    public (bool Allowed, SimulatedAccount After) CreateKey(string policyJson, IReadOnlyDictionary<string, string> tags, string origin = "AWS_KMS", bool multiRegion = false)
    {
        var name = $"new-{Created + 1}";
        var key = new SimulatedKey(name, Account, Region, new Dictionary<string, string>(), policyJson, PreExisting: false);
        var context = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
        {
            ["kms:CallerAccount"] = [Account],
            ["aws:RequestedRegion"] = [Region],
            ["kms:KeyOrigin"] = [origin],
            ["kms:MultiRegion"] = [multiRegion ? "true" : "false"],
            ["kms:BypassPolicyLockoutSafetyCheck"] = ["false"],
            ["kms:KeySpec"] = ["SYMMETRIC_DEFAULT"],
            ["kms:KeyUsage"] = ["ENCRYPT_DECRYPT"],
        };
        foreach (var (requestKey, values) in TagRequestKeys(tags))
        {
            context[requestKey] = values;
        }

        var allowed = Kms.AllowsByIam(new IamRequest(Kms.RoleArn, "kms:CreateKey", "*", context))
            && (tags.Count == 0 || Kms.AllowsByIam(new IamRequest(Kms.RoleArn, "kms:TagResource", key.Arn, context)))
            && PassesLockoutCheck(key);
        return allowed
            ? (true, new(Kms, Region, [.. Keys, key with { Tags = new Dictionary<string, string>(tags) }], Aliases, Created + 1))
            : (false, this);
    }

    /// <summary>The lockout safety check: could the role make a later PutKeyPolicy request on the key under its new policy?</summary>
    public bool PassesLockoutCheck(SimulatedKey key) =>
        Kms.AllowsOnKey(new IamRequest(Kms.RoleArn, "kms:PutKeyPolicy", key.Arn, new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
        {
            ["kms:CallerAccount"] = [Account],
            ["aws:RequestedRegion"] = [key.Region],
            ["kms:BypassPolicyLockoutSafetyCheck"] = ["false"],
        }), key.Policy, key.Account);

    public static (string Key, string[] Values)[] TagRequestKeys(IReadOnlyDictionary<string, string> tags) =>
        [("aws:TagKeys", [.. tags.Keys]), .. tags.Select(t => ("aws:RequestTag/" + t.Key, new[] { t.Value }))];

    private IamRequest AliasRequest(string action, SimulatedAlias alias) =>
        new(Kms.RoleArn, action, alias.Arn, new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
        {
            ["kms:CallerAccount"] = [Account],
            ["aws:RequestedRegion"] = [alias.Region],
        });

    private SimulatedAccount Replace(SimulatedKey old, SimulatedKey replacement) =>
        new(Kms, Region, [.. Keys.Select(k => k == old ? replacement : k)], Aliases, Created);

    /// <summary>A key policy statement list as JSON, with the role's ARN for the documented placeholder.</summary>
    public static string Policy(string roleArn, params string[] statementLists) =>
        new JsonObject
        {
            ["Version"] = "2012-10-17",
            ["Statement"] = new JsonArray([.. statementLists.SelectMany(s => JsonNode.Parse(s.Replace("<FunctionRoleArn output>", roleArn, StringComparison.Ordinal))!.AsArray()).Select(n => n!.DeepClone())]),
        }.ToJsonString();
}
