using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using KeyRotation.Core.Tagging;
using Moq;

namespace KeyRotation.Testing;

/// <summary>
/// A Moq mock of KMS with just enough state (keys, aliases, tags) to drive the engine through a rotation,
/// recording every request so tests assert exact fields and the order of calls.
/// </summary>
internal sealed class KmsMock
{
    public const string Account = "111122223333";
    public const string Region = "eu-west-1";

    private readonly Lock _gate = new();
    private int _created;
    private ITaggedKeyFinder? _finder;

    public KmsMock(TimeProvider time)
    {
        Time = time;
        Mock.Setup(k => k.DescribeKeyAsync(It.IsAny<DescribeKeyRequest>(), It.IsAny<CancellationToken>()))
            .Returns((DescribeKeyRequest r, CancellationToken _) => Record("DescribeKey", r, () => new DescribeKeyResponse { KeyMetadata = Resolve(r.KeyId) }));
        Mock.Setup(k => k.ListResourceTagsAsync(It.IsAny<ListResourceTagsRequest>(), It.IsAny<CancellationToken>()))
            .Returns((ListResourceTagsRequest r, CancellationToken _) => Record("ListResourceTags", r, () => new ListResourceTagsResponse
            {
                Tags = [.. TagsOf(Resolve(r.KeyId).KeyId).Select(t => new Tag { TagKey = t.Key, TagValue = t.Value })],
                Truncated = false,
            }));
        Mock.Setup(k => k.GetKeyPolicyAsync(It.IsAny<GetKeyPolicyRequest>(), It.IsAny<CancellationToken>()))
            .Returns((GetKeyPolicyRequest r, CancellationToken _) => Record("GetKeyPolicy", r, () => new GetKeyPolicyResponse { Policy = Policies[Resolve(r.KeyId).KeyId], PolicyName = "default" }));
        Mock.Setup(k => k.CreateKeyAsync(It.IsAny<CreateKeyRequest>(), It.IsAny<CancellationToken>()))
            .Returns((CreateKeyRequest r, CancellationToken _) => Record("CreateKey", r, () =>
            {
                var key = NewKey(r.KeySpec, r.KeyUsage, r.Description, r.Origin == OriginType.EXTERNAL ? KeyState.PendingImport : KeyState.Enabled, r.Origin);
                Policies[key.KeyId] = r.Policy;
                foreach (var tag in r.Tags ?? [])
                {
                    Tags[key.KeyId][tag.TagKey] = tag.TagValue;
                }

                return new CreateKeyResponse { KeyMetadata = key };
            }));
        Mock.Setup(k => k.CreateAliasAsync(It.IsAny<CreateAliasRequest>(), It.IsAny<CancellationToken>()))
            .Returns((CreateAliasRequest r, CancellationToken _) => Record("CreateAlias", r, () =>
            {
                if (Aliases.ContainsKey(r.AliasName))
                {
                    throw new AlreadyExistsException($"An alias with the name {r.AliasName} already exists");
                }

                Aliases[r.AliasName] = (Resolve(r.TargetKeyId).KeyId, Time.GetUtcNow());
                return new CreateAliasResponse();
            }));
        Mock.Setup(k => k.UpdateAliasAsync(It.IsAny<UpdateAliasRequest>(), It.IsAny<CancellationToken>()))
            .Returns((UpdateAliasRequest r, CancellationToken _) => Record("UpdateAlias", r, () =>
            {
                if (!Aliases.ContainsKey(r.AliasName))
                {
                    throw new NotFoundException($"Alias {r.AliasName} is not found.");
                }

                Aliases[r.AliasName] = (Resolve(r.TargetKeyId).KeyId, Time.GetUtcNow());
                return new UpdateAliasResponse();
            }));
        Mock.Setup(k => k.TagResourceAsync(It.IsAny<TagResourceRequest>(), It.IsAny<CancellationToken>()))
            .Returns((TagResourceRequest r, CancellationToken _) => Record("TagResource", r, () =>
            {
                foreach (var tag in r.Tags)
                {
                    Tags[Resolve(r.KeyId).KeyId][tag.TagKey] = tag.TagValue;
                }

                return new TagResourceResponse();
            }));
        Mock.Setup(k => k.ListAliasesAsync(It.IsAny<ListAliasesRequest>(), It.IsAny<CancellationToken>()))
            .Returns((ListAliasesRequest r, CancellationToken _) => Record("ListAliases", r, () => new ListAliasesResponse
            {
                Aliases = [.. Aliases.Where(a => r.KeyId is null || a.Value.KeyId == r.KeyId)
                    .Select(a => new AliasListEntry { AliasName = a.Key, TargetKeyId = a.Value.KeyId, CreationDate = a.Value.Updated.UtcDateTime, LastUpdatedDate = a.Value.Updated.UtcDateTime })],
                Truncated = false,
            }));

        // KMS's automatic rotation: off unless a test sets a key's period in AutomaticRotation.
        Mock.Setup(k => k.GetKeyRotationStatusAsync(It.IsAny<GetKeyRotationStatusRequest>(), It.IsAny<CancellationToken>()))
            .Returns((GetKeyRotationStatusRequest r, CancellationToken _) => Record("GetKeyRotationStatus", r, () =>
            {
                var keyId = Resolve(r.KeyId).KeyId;
                return AutomaticRotation.TryGetValue(keyId, out var days)
                    ? new GetKeyRotationStatusResponse { KeyId = keyId, KeyRotationEnabled = true, RotationPeriodInDays = days }
                    : new GetKeyRotationStatusResponse { KeyId = keyId, KeyRotationEnabled = false };
            }));
        Mock.Setup(k => k.EnableKeyRotationAsync(It.IsAny<EnableKeyRotationRequest>(), It.IsAny<CancellationToken>()))
            .Returns((EnableKeyRotationRequest r, CancellationToken _) => Record("EnableKeyRotation", r, () =>
            {
                AutomaticRotation[Resolve(r.KeyId).KeyId] = r.RotationPeriodInDays ?? 365;
                return new EnableKeyRotationResponse();
            }));

        // Key material rotations: none unless a test adds entries to KeyRotations.
        Mock.Setup(k => k.ListKeyRotationsAsync(It.IsAny<ListKeyRotationsRequest>(), It.IsAny<CancellationToken>()))
            .Returns((ListKeyRotationsRequest r, CancellationToken _) => Record("ListKeyRotations", r, () => new ListKeyRotationsResponse
            {
                Rotations = [.. KeyRotations.GetValueOrDefault(Resolve(r.KeyId).KeyId) ?? []],
                Truncated = false,
            }));

        // No key has grants.
        Mock.Setup(k => k.ListGrantsAsync(It.IsAny<ListGrantsRequest>(), It.IsAny<CancellationToken>()))
            .Returns((ListGrantsRequest r, CancellationToken _) => Record("ListGrants", r, () => new ListGrantsResponse { Grants = [], Truncated = false }));

        // Last use: what LastUses holds for the key, with tracking from TrackingStart (or the key's creation, if later).
        Mock.Setup(k => k.GetKeyLastUsageAsync(It.IsAny<GetKeyLastUsageRequest>(), It.IsAny<CancellationToken>()))
            .Returns((GetKeyLastUsageRequest r, CancellationToken _) => Record("GetKeyLastUsage", r, () =>
            {
                var key = Resolve(r.KeyId);
                var created = key.CreationDate ?? Time.GetUtcNow().UtcDateTime;
                return new GetKeyLastUsageResponse
                {
                    KeyId = key.KeyId,
                    KeyCreationDate = created,
                    TrackingStartDate = created > TrackingStart.UtcDateTime ? created : TrackingStart.UtcDateTime,
                    KeyLastUsage = LastUses.GetValueOrDefault(key.KeyId),
                };
            }));

        // Every List* call is paged through the SDK's paginators, which call the setups above.
        Mock.PageThroughSdkPaginators();
    }

    public Mock<IAmazonKeyManagementService> Mock { get; } = new(MockBehavior.Strict);

    /// <summary>What ListKeyRotations lists for a key (none for a key not in here).</summary>
    public Dictionary<string, List<RotationsListEntry>> KeyRotations { get; } = new(StringComparer.Ordinal);

    /// <summary>What GetKeyLastUsage answers as a key's last use (never used for a key not in here).</summary>
    public Dictionary<string, KeyLastUsageData> LastUses { get; } = new(StringComparer.Ordinal);

    /// <summary>When GetKeyLastUsage's tracking began; keys created before it are "unknown before tracking".</summary>
    public DateTimeOffset TrackingStart { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Records a use of the key <paramref name="ago"/> before now, as KMS would after a successful call.</summary>
    public void Use(string keyId, string operation, TimeSpan ago) =>
        LastUses[keyId] = new KeyLastUsageData
        {
            Operation = operation,
            Timestamp = (Time.GetUtcNow() - ago).UtcDateTime,
            CloudTrailEventId = $"event-{keyId}",
            KmsRequestId = $"request-{keyId}",
        };

    /// <summary>Keys with KMS's automatic rotation enabled, and its period in days.</summary>
    public Dictionary<string, int> AutomaticRotation { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// A Resource Groups Tagging finder over these keys (every tag must match), recording each query in
    /// <see cref="TagQueries"/>. KMS has no ListKeys setup: the strict mock fails any test whose engine scans keys.
    /// </summary>
    public ITaggedKeyFinder Finder => _finder ??= CreateFinder();

    public List<IReadOnlyDictionary<string, string>> TagQueries { get; } = [];


    public IAmazonKeyManagementService Object => Mock.Object;

    public TimeProvider Time { get; }

    public Dictionary<string, KeyMetadata> Keys { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, Dictionary<string, string>> Tags { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Policies { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, (string KeyId, DateTimeOffset Updated)> Aliases { get; } = new(StringComparer.Ordinal);

    /// <summary>Every call in order: operation name and request.</summary>
    public List<(string Operation, object Request)> Calls { get; } = [];

    /// <summary>Throws this from the named operation's next call (once) instead of answering.</summary>
    public Dictionary<string, Exception> FailNext { get; } = new(StringComparer.Ordinal);

    public IEnumerable<T> Requests<T>() => Calls.Select(c => c.Request).OfType<T>();

    public IEnumerable<string> Operations => Calls.Select(c => c.Operation);

    public static IEnumerable<string> WriteOperations => ["CreateKey", "CreateAlias", "UpdateAlias", "TagResource"];

    public KeyMetadata AddKey(
        string alias,
        KeySpec? spec = null,
        KeyUsageType? usage = null,
        KeyState? state = null,
        TimeSpan? age = null,
        IDictionary<string, string>? tags = null)
    {
        var key = NewKey(spec ?? KeySpec.SYMMETRIC_DEFAULT, usage ?? KeyUsageType.ENCRYPT_DECRYPT, "Orders data key", state ?? KeyState.Enabled, OriginType.AWS_KMS);
        key.CreationDate = (Time.GetUtcNow() - (age ?? TimeSpan.FromDays(40))).UtcDateTime;
        Policies[key.KeyId] = "{\"Version\":\"2012-10-17\",\"Statement\":[]}";
        foreach (var tag in tags ?? new Dictionary<string, string>())
        {
            Tags[key.KeyId][tag.Key] = tag.Value;
        }

        Aliases[alias] = (key.KeyId, Time.GetUtcNow() - TimeSpan.FromDays(400));
        return key;
    }

    public KeyMetadata KeyOf(string alias) => Keys[Aliases[alias].KeyId];

    public KeyMetadata Resolve(string keyIdOrAlias)
    {
        var id = keyIdOrAlias.StartsWith("alias/", StringComparison.Ordinal)
            ? (Aliases.TryGetValue(keyIdOrAlias, out var a) ? a.KeyId : throw new NotFoundException($"Alias {keyIdOrAlias} is not found."))
            : keyIdOrAlias.StartsWith("arn:", StringComparison.Ordinal) ? keyIdOrAlias[(keyIdOrAlias.IndexOf(":key/", StringComparison.Ordinal) + 5)..] : keyIdOrAlias;
        return Keys.TryGetValue(id, out var key) ? key : throw new NotFoundException($"Key {keyIdOrAlias} does not exist.");
    }

    private Dictionary<string, string> TagsOf(string keyId) => Tags[keyId];

    private ITaggedKeyFinder CreateFinder()
    {
        var finder = new Mock<ITaggedKeyFinder>(MockBehavior.Strict);
        finder.Setup(f => f.FindKeyArnsAsync(It.IsAny<IReadOnlyDictionary<string, string>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((IReadOnlyDictionary<string, string> wanted, CancellationToken _) =>
            {
                TagQueries.Add(wanted);
                return [.. Keys.Values.Where(k => wanted.All(w => Tags.TryGetValue(k.KeyId, out var tags) && tags.GetValueOrDefault(w.Key) == w.Value)).Select(k => k.Arn)];
            });
        return finder.Object;
    }

    private KeyMetadata NewKey(KeySpec spec, KeyUsageType usage, string description, KeyState state, OriginType origin)
    {
        var id = $"00000000-0000-0000-0000-{++_created:000000000000}";
        var key = new KeyMetadata
        {
            KeyId = id,
            Arn = $"arn:aws:kms:{Region}:{Account}:key/{id}",
            AWSAccountId = Account,
            KeySpec = spec,
            KeyUsage = usage,
            Description = description,
            KeyState = state,
            Enabled = state == KeyState.Enabled,
            KeyManager = KeyManagerType.CUSTOMER,
            Origin = origin,
            MultiRegion = false,
            CreationDate = Time.GetUtcNow().UtcDateTime,
        };
        Keys[id] = key;
        Tags[id] = new Dictionary<string, string>(StringComparer.Ordinal);
        return key;
    }

    private Task<T> Record<T>(string operation, object request, Func<T> answer)
    {
        lock (_gate)
        {
            Calls.Add((operation, request));
            if (FailNext.Remove(operation, out var failure))
            {
                return Task.FromException<T>(failure);
            }

            try
            {
                return Task.FromResult(answer());
            }
            catch (Exception ex)
            {
                return Task.FromException<T>(ex);
            }
        }
    }
}
