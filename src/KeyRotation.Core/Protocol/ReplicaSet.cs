using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;

namespace KeyRotation.Core.Protocol;

/// <summary>
/// The replica steps of a multi-Region rotation, between recording the new primary and moving the alias in the primary
/// Region (docs/multi-region.md): replicate the new primary into every Region where the old one has a replica
/// (each replica copying the old replica's own policy, description and tags, then sealed), then, Region by Region,
/// retire the old replica and move that Region's alias. The primary Region's alias moves last, so until it moves the
/// protocol's state (read there only) says "recorded", and a run that takes the move over repeats these steps: each is
/// safe to repeat. ReplicateKey is not idempotent: a Region that already holds a replica of the new primary is not
/// replicated again, and KMS's AlreadyExistsException (a lost answer) counts as done once the replica is found.
/// </summary>
internal sealed class ReplicaSet
{
    /// <summary>A new replica is Creating for a few seconds (KMS Developer Guide); the alias waits for Enabled this long at most.</summary>
    private static readonly TimeSpan MaxCreatingWait = TimeSpan.FromMinutes(2);

    /// <summary>The chain tags a replica carries from its primary (not its state: the primary's speaks for the set).</summary>
    private static readonly string[] ChainTags =
    [
        RotationTags.Alias, RotationTags.RotationId, RotationTags.PreviousKey, RotationTags.CreatedAt, RotationTags.Generation,
        RotationTags.Sequence, RotationTags.ScheduleSlot, RotationTags.MovedByHandFrom,
    ];

    private readonly IAmazonKeyManagementService _primary;
    private readonly KmsRegionClients? _regions;
    private readonly ClaimSteps _claims;
    private readonly ClaimedStepRunner _steps;
    private readonly RotationOptions _options;
    private readonly TimeProvider _time;
    private readonly TimeSpan _creatingPoll;

    public ReplicaSet(IAmazonKeyManagementService primary, KmsRegionClients? regions, ClaimSteps claims, ClaimedStepRunner steps, RotationOptions options, TimeProvider time, TimeSpan? creatingPoll = null)
    {
        _primary = primary;
        _regions = regions;
        _claims = claims;
        _steps = steps;
        _options = options;
        _time = time;
        _creatingPoll = creatingPoll ?? TimeSpan.FromSeconds(2);
    }

    /// <summary>
    /// Replicates, seals and checks the new primary's replicas, then retires the old replicas and moves the alias in
    /// each replica Region. <paramref name="newPrimary"/> must be fresh (described after it was recorded). Returns notes
    /// for the notification (an alias left alone in a Region). Nothing to do for a key without replicas.
    /// </summary>
    public async Task<IReadOnlyList<string>> CompleteAsync(RotationRequest request, AliasState state, KeyMetadata newPrimary, RunClaim claim, CancellationToken ct)
    {
        var old = state.Current!;
        var regions = MultiRegionKeys.ReplicaRegions(old);
        if (regions.Count == 0)
        {
            return [];
        }

        var present = MultiRegionKeys.ReplicaRegions(newPrimary).ToHashSet(StringComparer.Ordinal);
        Dictionary<string, string>? chainTags = null;
        foreach (var region in regions)
        {
            await Releasing(claim, region, old, async () =>
            {
                if (!present.Contains(region))
                {
                    chainTags ??= ChainTagsOf(await new KmsCalls(_primary).TagsAsync(newPrimary.KeyId, ct));
                    await ReplicateAsync(region, old, newPrimary, chainTags, ct);
                }

                await SealAndCheckAsync(region, old, newPrimary.KeyId, ct);
                return true;
            }, ct);
        }

        var notes = new List<string>();
        foreach (var region in regions)
        {
            await _claims.FenceAsync(claim, request.Deadline, _time.GetUtcNow(), ct);
            if (await Releasing(claim, region, old, () => MoveAsync(region, state.Alias, old.KeyId, newPrimary.KeyId, ct), ct) is { } note)
            {
                notes.Add(note);
            }
        }

        return notes;
    }

    /// <summary>ReplicateKey into <paramref name="region"/>, with the old replica's policy and description and this tool's chain tags.</summary>
    private async Task ReplicateAsync(string region, KeyMetadata old, KeyMetadata newPrimary, Dictionary<string, string> chainTags, CancellationToken ct)
    {
        var kms = Client(region);
        var oldReplica = await new KmsCalls(kms).DescribeAsync(old.KeyId, ct)
            ?? throw new RotationException($"KMS lists a replica of {old.KeyId} in {region}, but DescribeKey there finds none.");
        var policy = await KmsCalls.CallAsync("GetKeyPolicy", () => kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = old.KeyId, PolicyName = "default" }, ct));
        try
        {
            await _primary.ReplicateKeyAsync(
                new ReplicateKeyRequest
                {
                    KeyId = newPrimary.KeyId,
                    ReplicaRegion = region,
                    Policy = policy.Policy,
                    Description = oldReplica.Description,
                    BypassPolicyLockoutSafetyCheck = false,
                    // Only this tool's own tags, as for CreateKey (IAM cannot tell tagging at creation from tagging any key);
                    // the old replica's other tags follow in the seal.
                    Tags = [.. chainTags.Select(t => new Tag { TagKey = t.Key, TagValue = t.Value })],
                },
                ct);
        }
        catch (AlreadyExistsException)
        {
            // An earlier attempt replicated it and its answer was lost: SealAndCheckAsync finds the replica.
        }
        catch (MalformedPolicyDocumentException ex)
        {
            throw new RotationException(
                $"ReplicateKey refused the key policy copied from the replica of {old.KeyId} in {region}: {ex.Message} Add the key policy statements {KmsPermissions.KeyPolicyStatementSid} and " +
                $"{KmsPermissions.NewKeySetupStatementSid} for this function's role to that replica's policy (docs/multi-region.md, \"Key policies\").",
                ex);
        }
        catch (AmazonServiceException ex)
        {
            throw KmsCalls.StepFailed("ReplicateKey", ex);
        }
    }

    /// <summary>The new replica exists in <paramref name="region"/>, has the old replica's tags and the seal, and is Enabled.</summary>
    private async Task SealAndCheckAsync(string region, KeyMetadata old, string newKeyId, CancellationToken ct)
    {
        var kms = Client(region);
        var calls = new KmsCalls(kms);
        var replica = await calls.DescribeAsync(newKeyId, ct);
        if (replica?.MultiRegionConfiguration?.MultiRegionKeyType != MultiRegionKeyType.REPLICA)
        {
            throw new RotationException($"After ReplicateKey, DescribeKey finds no replica of {newKeyId} in {region}{(replica is null ? string.Empty : $" (it finds a {replica.MultiRegionConfiguration?.MultiRegionKeyType?.Value ?? "single-Region"} key)")}.");
        }

        var sealer = new SuccessorKey(kms, kms, _options, _time, finder: null);
        var tags = await calls.TagsAsync(newKeyId, ct);
        if (!tags.ContainsKey(RotationTags.Sealed))
        {
            await sealer.SealAsync(newKeyId, await calls.TagsAsync(old.KeyId, ct), justCreated: false, finalState: null, ct);
        }

        replica = await WaitWhileCreatingAsync(calls, replica, region, _creatingPoll, MaxCreatingWait, ct);
        if (RotationDecisions.CheckReady(old, replica) is { } notReady)
        {
            throw new RotationException($"{notReady} (the replica in {region})");
        }
    }

    /// <summary>
    /// A new replica is Creating for a few seconds: describe it again every <paramref name="poll"/> until it is not, for at
    /// most <paramref name="max"/>; the caller then checks the state it ended in.
    /// </summary>
    internal static async Task<KeyMetadata> WaitWhileCreatingAsync(KmsCalls calls, KeyMetadata replica, string region, TimeSpan poll, TimeSpan max, CancellationToken ct)
    {
        var waited = TimeSpan.Zero;
        while (replica.KeyState == KeyState.Creating && waited < max)
        {
            // Waiting, not time-based logic: real time, as the authorization retry does.
            await Task.Delay(poll, ct);
            waited += poll;
            replica = await calls.DescribeAsync(replica.KeyId, ct) ?? throw new RotationException($"The new replica of {replica.KeyId} in {region} disappeared while it was being created.");
        }

        return replica;
    }

    /// <summary>
    /// In <paramref name="region"/>: retire the old replica while the alias there still points at it, then move the alias.
    /// A Region without the alias only gets the old replica retired; an alias there on some other key is left alone (a note).
    /// </summary>
    private async Task<string?> MoveAsync(string region, string alias, string oldKeyId, string newKeyId, CancellationToken ct)
    {
        var kms = Client(region);
        var moves = new MoveSteps(kms, _time);
        var target = await new KmsCalls(kms).DescribeAsync(alias, ct);
        if (target?.KeyId == newKeyId)
        {
            // Moved by an earlier run, which retired the old replica first.
            return null;
        }

        await moves.RetireAsync(oldKeyId, alias, newKeyId, ct);
        if (target is null)
        {
            return null;
        }

        if (target.KeyId != oldKeyId)
        {
            return $"{alias} in {region} points at {target.KeyId}, not at the replica of {oldKeyId}: it was left alone. Point it at {newKeyId} there if it should follow the set.";
        }

        await moves.MoveAliasAsync(alias, newKeyId, ct);
        return null;
    }

    private IAmazonKeyManagementService Client(string region) =>
        (_regions ?? throw new RotationException($"This run has no KMS client for the replica Region {region}."))
            .For(region);

    private static Dictionary<string, string> ChainTagsOf(Dictionary<string, string> primaryTags) =>
        ChainTags.Where(primaryTags.ContainsKey).ToDictionary(t => t, t => primaryTags[t], StringComparer.Ordinal);

    /// <summary>A claimed step in one replica Region: a failure names the Region and says that the next run goes on.</summary>
    private Task<T> Releasing<T>(RunClaim claim, string region, KeyMetadata old, Func<Task<T>> step, CancellationToken ct) =>
        _steps.RunAsync(
            claim,
            async () =>
            {
                try
                {
                    return await step();
                }
                catch (Exception ex) when (ex is RotationException or AmazonServiceException or AmazonClientException or HttpRequestException)
                {
                    var cause = ex is AmazonServiceException service ? $"KMS {service.ErrorCode ?? service.GetType().Name}: {service.Message}" : ex.Message;
                    var home = old.Arn is { } arn && Amazon.Arn.TryParse(arn, out var parsed) ? parsed.Region : "the primary Region";
                    throw new RotationException(
                        $"Replica Region {region}: {cause} The alias in {home} still points at {old.KeyId}; the next run finishes the multi-Region rotation from here.",
                        ex as AmazonServiceException ?? ex.InnerException ?? ex);
                }
            },
            retryDenied: true,
            ct);
}
