using System.Globalization;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using KeyRotation.Core.Tagging;
using Polly;
using Polly.Retry;

namespace KeyRotation.Core.Protocol;

/// <summary>
/// The new key of a move: created once (CreateKey is not idempotent), sealed, and adopted when a run died or gave up
/// before moving the alias to it. The marker stays on the old key, so such a key is found by its tags: from the
/// released claim's released-with-key tag, else by the tags CreateKey wrote (Resource Groups Tagging).
/// </summary>
internal sealed class SuccessorKey
{
    private const int MaxTagsPerKey = 50;
    private const int CreateKeyAttempts = 8;

    /// <summary>
    /// Retries a throttled CreateKey (the request was refused, not processed) with jittered exponential backoff. Backoff
    /// is waiting, not time-based logic: real time (the pipeline's default), so a fake clock in tests cannot stall it.
    /// </summary>
    private static readonly ResiliencePipeline CreateKeyThrottling = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<AmazonServiceException>(IsThrottling),
            MaxRetryAttempts = CreateKeyAttempts - 1,
            DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(ThrottlingDelay(args.AttemptNumber + 1)),
        })
        .Build();

    private readonly IAmazonKeyManagementService _kms;
    private readonly IAmazonKeyManagementService _createKeyClient;
    private readonly KmsCalls _calls;
    private readonly RotationOptions _options;
    private readonly TimeProvider _time;
    private readonly ITaggedKeyFinder? _finder;

    public SuccessorKey(IAmazonKeyManagementService kms, IAmazonKeyManagementService createKeyClient, RotationOptions options, TimeProvider time, ITaggedKeyFinder? finder)
    {
        _finder = finder;
        _kms = kms;
        _createKeyClient = createKeyClient;
        _calls = new KmsCalls(kms);
        _options = options;
        _time = time;
    }

    /// <summary>
    /// Finishes a new key's setup in one TagResource request: the predecessor's tags (all but this tool's own) and
    /// <see cref="RotationTags.Sealed"/>, and the key's final state (active), so that nothing is written on the key after
    /// the alias moved to it. The key policy allows it while the key has no alias yet; after it, IAM denies the role any
    /// key policy change and any tag outside keyrotation: on this key (docs/permissions.md). Safe to repeat: a sealed
    /// key is left alone, and only the tags the key lacks are written. A key recorded by an earlier version of this
    /// tool already holds its marker alias and stays pending until its last step, so it gets the seal alone (pass no
    /// predecessor tags and no state).
    /// </summary>
    /// <param name="justCreated">True for a key this run has just created: it carries this tool's tags only, so no read is needed first.</param>
    /// <param name="finalState">The state tag written with the seal, or null to leave the state as it is.</param>
    public async Task SealAsync(string newKeyId, IReadOnlyDictionary<string, string> predecessorTags, bool justCreated, string? finalState, CancellationToken ct)
    {
        List<KeyValuePair<string, string>> own = [new(RotationTags.Sealed, RotationTags.SealedValue)];
        if (finalState is not null)
        {
            own.Add(new(RotationTags.State, finalState));
        }

        if (justCreated)
        {
            await _calls.TagAsync(newKeyId, [.. CopiedTags(predecessorTags), .. own], ct);
            return;
        }

        var present = await _calls.TagsAsync(newKeyId, ct);
        if (present.ContainsKey(RotationTags.Sealed))
        {
            return;
        }

        var missing = CopiedTags(predecessorTags).Where(t => !(present.TryGetValue(t.Key, out var value) && value == t.Value));
        await _calls.TagAsync(newKeyId, [.. missing, .. own], ct);
    }

    /// <summary>The predecessor's tags a new key gets: all but this tool's own and AWS's reserved ones.</summary>
    private static List<KeyValuePair<string, string>> CopiedTags(IReadOnlyDictionary<string, string> tags) =>
        [.. tags.Where(t => !RotationTags.IsOwnTag(t.Key) && !t.Key.StartsWith("aws:", StringComparison.Ordinal))];

    /// <summary>Creates the new key for the state's move: same spec, usage, description and policy; the customer's tags and this tool's.</summary>
    public async Task<KeyMetadata> CreateAsync(RotationRequest request, AliasState state, CancellationToken ct)
    {
        var current = state.Current!;
        var policy = await KmsCalls.CallAsync("GetKeyPolicy", () => _kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = current.KeyId, PolicyName = "default" }, ct));
        var own = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [RotationTags.Alias] = state.Alias,
            [RotationTags.RotationId] = request.RotationId,
            [RotationTags.PreviousKey] = current.KeyId,
            [RotationTags.CreatedAt] = RecordedTime.Format(_time.GetUtcNow()),
            [RotationTags.Generation] = (AliasStateReader.ReadLong(state.CurrentTags, RotationTags.Generation, 1) + 1).ToString(CultureInfo.InvariantCulture),
            [RotationTags.Sequence] = state.Move.ToString(CultureInfo.InvariantCulture),
            [RotationTags.State] = RotationTags.KeyStates.Pending,
        };
        if (request.ScheduleSlot is { } slot)
        {
            own[RotationTags.ScheduleSlot] = RecordedTime.FormatSlot(slot);
        }

        foreach (var perAlias in (string[])[RotationTags.Strategy, RotationTags.PreMoveHook, RotationTags.PostMoveHook])
        {
            if (state.CurrentTags.TryGetValue(perAlias, out var chosen))
            {
                // The alias's own strategy and hooks follow it to each new key.
                own[perAlias] = chosen;
            }
        }

        if (state.CurrentTags.TryGetValue(RotationTags.MaxKeyAgeDays, out var cryptoperiod))
        {
            // So is its cryptoperiod.
            own[RotationTags.MaxKeyAgeDays] = cryptoperiod;
        }

        if (state.MovedByHandFrom is { } movedFrom)
        {
            own[RotationTags.MovedByHandFrom] = movedFrom;
        }

        var copied = CopiedTags(state.CurrentTags);
        if (copied.Count + own.Count + 1 > MaxTagsPerKey)
        {
            throw new RotationException($"Key {current.KeyId} has {copied.Count} tags of its own; with this tool's {own.Count + 1} the new key would exceed KMS's limit of {MaxTagsPerKey}. Remove some tags from the key.");
        }

        var origin = _options.KeyMaterialOrigin == KeyMaterialOrigin.External ? OriginType.EXTERNAL : OriginType.AWS_KMS;
        var create = new CreateKeyRequest
        {
            Description = current.Description,
            KeySpec = current.KeySpec,
            KeyUsage = current.KeyUsage,
            Origin = origin,
            Policy = policy.Policy,
            // A multi-Region primary is followed by a multi-Region primary, which ReplicaSet then replicates.
            MultiRegion = current.MultiRegion == true,
            BypassPolicyLockoutSafetyCheck = false,
            // Only this tool's own tags: the role may tag during CreateKey only with keyrotation: tag keys (IAM cannot
            // tell that apart from tagging any existing key). The copied tags follow in SealAsync.
            Tags = [.. own.Select(t => new Tag { TagKey = t.Key, TagValue = t.Value })],
        };
        try
        {
            return await CreateKeyOnceAsync(create, ct);
        }
        catch (MalformedPolicyDocumentException ex)
        {
            throw new RotationException(
                $"CreateKey refused the key policy copied from {current.KeyId}: {ex.Message} Add the key policy statements {KmsPermissions.KeyPolicyStatementSid} and {KmsPermissions.NewKeySetupStatementSid} " +
                $"for this function's role to the policy of {current.KeyId} (docs/permissions.md, \"Key policy (required)\"): KMS's policy lockout safety check requires the copied policy to let the role call kms:PutKeyPolicy on the new key. Nothing was created.",
                ex);
        }
        catch (AmazonServiceException ex)
        {
            throw KmsCalls.StepFailed("CreateKey", ex);
        }
    }

    /// <summary>
    /// The key a run that died or gave up before moving the alias created for this move, or null. A run that gave up
    /// named it on the old key (released-with-key), which is read at once; otherwise it is found by the three tags
    /// CreateKey wrote (this alias, the move number, the predecessor) in one Resource Groups Tagging query, not by
    /// listing every key. That query is eventually consistent; it is asked only when a claim has expired, long after the
    /// tags were written, or after a release that named no key (CreateKey's outcome unknown). More than one match is
    /// refused, naming them.
    /// </summary>
    public async Task<KeyMetadata?> FindUnrecordedAsync(AliasState state, ClaimInfo claim, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(claim);
        if (claim.Released && state.CurrentTags.GetValueOrDefault(RotationTags.ReleasedWithKey) is { Length: > 0 } named
            && await _calls.DescribeAsync(named, ct) is { } key)
        {
            var keyTags = await _calls.TagsAsync(key.KeyId, ct);
            if (keyTags.GetValueOrDefault(RotationTags.Alias) == state.Alias && keyTags.GetValueOrDefault(RotationTags.PreviousKey) == state.Current!.KeyId
                && keyTags.GetValueOrDefault(RotationTags.Sequence) == state.Move.ToString(CultureInfo.InvariantCulture))
            {
                return key;
            }
        }

        if (_finder is null)
        {
            throw new RotationException($"The claim on {state.Alias} expired before the alias moved to a new key, and this run has no Resource Groups Tagging client to look for that key; nothing was changed.");
        }

        var tags = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [RotationTags.Alias] = state.Alias,
            [RotationTags.Sequence] = state.Move.ToString(CultureInfo.InvariantCulture),
            [RotationTags.PreviousKey] = state.Current!.KeyId,
        };
        IReadOnlyList<string> arns;
        try
        {
            arns = await _finder.FindKeyArnsAsync(tags, ct);
        }
        catch (AmazonServiceException ex)
        {
            throw KmsCalls.StepFailed("GetResources (Resource Groups Tagging API)", ex);
        }

        return arns.Count switch
        {
            0 => null,
            1 => await _calls.DescribeAsync(arns[0], ct),
            _ => throw new RotationException($"{arns.Count} keys carry the tags of move {state.Move} of {state.Alias} ({string.Join(", ", arns)}); only one may. Schedule the deletion of all but one and run again."),
        };
    }

    /// <summary>
    /// CreateKey goes through a client that does not retry, and only throttling (the request was refused, not
    /// processed) is retried here. Any other failure leaves it unknown whether KMS created the key; the claim is then
    /// released and the next run adopts the key if it exists.
    /// </summary>
    private async Task<KeyMetadata> CreateKeyOnceAsync(CreateKeyRequest create, CancellationToken ct)
    {
        try
        {
            return await CreateKeyThrottling.ExecuteAsync(async token => (await _createKeyClient.CreateKeyAsync(create, token)).KeyMetadata, ct);
        }
        catch (AmazonClientException ex)
        {
            throw new RotationException($"KMS CreateKey failed before an answer came back ({ex.Message}); if KMS created the key anyway, the next run adopts it.", ex);
        }
    }

    /// <summary>The wait after the <paramref name="attempt"/>th throttled CreateKey: 200 ms doubling up to 5 s, halved at random by up to half.</summary>
    private static TimeSpan ThrottlingDelay(int attempt) =>
        TimeSpan.FromMilliseconds(Math.Min(5000, 100 * Math.Pow(2, attempt)) * (0.5 + (Random.Shared.NextDouble() / 2)));

    private static bool IsThrottling(AmazonServiceException ex) =>
        ex.ErrorCode is "ThrottlingException" or "Throttling" or "TooManyRequestsException" || (int)ex.StatusCode == 429;
}
