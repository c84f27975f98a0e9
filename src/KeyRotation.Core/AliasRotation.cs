using System.Globalization;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;

namespace KeyRotation.Core;

/// <summary>
/// The rotation of one alias, in idempotent steps whose progress lives in KMS itself:
/// <list type="number">
/// <item>resolve the alias and refuse what cannot be rotated;</item>
/// <item>finish a rotation whose alias already moved (the new key is still tagged pending);</item>
/// <item>look up the marker alias of the next move: absent (idle), pointing at the current key (claimed) or at a new key (recorded);</item>
/// <item>decide (slot, minimum age, force), claim the marker with CreateAlias (fails if another run holds it);</item>
/// <item>create the new key, then record it by pointing the marker at it;</item>
/// <item>import material (EXTERNAL origin), check the new key, move the alias, retire the old key.</item>
/// </list>
/// A run that dies between any two steps leaves a state the next run recognises and finishes with the key already created.
/// </summary>
internal sealed class AliasRotation
{
    private const int MaxTagsPerKey = 50;
    private const int MaxTakeovers = 3;
    private const int CreateKeyAttempts = 8;

    private readonly IAmazonKeyManagementService _kms;
    private readonly IAmazonKeyManagementService _createKeyClient;
    private readonly RotationOptions _options;
    private readonly TimeProvider _time;
    private readonly IRotationLog _log;
    private readonly IKeyMaterialImporter? _importer;
    private readonly KmsCalls _calls;

    public AliasRotation(
        IAmazonKeyManagementService kms,
        IAmazonKeyManagementService createKeyClient,
        RotationOptions options,
        TimeProvider time,
        IRotationLog log,
        IKeyMaterialImporter? importer)
    {
        _kms = kms;
        _createKeyClient = createKeyClient;
        _calls = new KmsCalls(kms);
        _options = options;
        _time = time;
        _log = log;
        _importer = importer;
    }

    public async Task<AliasRotationResult> RotateAsync(RotationRequest request, string alias, CancellationToken ct)
    {
        var current = await _calls.DescribeAsync(alias, ct)
            ?? throw new RotationException($"Alias {alias} does not exist in this account and Region.");
        var result = new AliasRotationResult
        {
            Alias = alias,
            Outcome = RotationOutcome.Failed,
            PreviousKeyId = current.KeyId,
            PreviousKeyArn = current.Arn,
            KeySpec = current.KeySpec?.Value,
            Reason = string.Empty,
        };

        var tags = await _calls.TagsAsync(current.KeyId, ct);
        if (tags.TryGetValue(RotationTags.Alias, out var taggedAlias) && taggedAlias != alias)
        {
            return result with { Reason = $"Key {current.KeyId} was created by this tool for {taggedAlias}, not {alias}; rotate {taggedAlias} instead, or point {alias} at a key of its own." };
        }

        if (tags.TryGetValue(RotationTags.State, out var state) && state == RotationTags.KeyStates.Pending && taggedAlias == alias)
        {
            if (current.KeyState != KeyState.Enabled)
            {
                return result with { Reason = $"{alias} points at its new key {current.KeyId}, which is {current.KeyState}, not Enabled: enable it (or cancel its deletion) so encryption through the alias works, then run again to finish the rotation." };
            }

            return await FinishMovedAsync(request, alias, current, tags, ct);
        }

        if (state == RotationTags.KeyStates.Restoring)
        {
            return result with { Reason = $"A rollback of {alias} to {current.KeyId} was interrupted; run 'keyrotation rollback {alias}' to finish it before rotating. Nothing was changed." };
        }

        if (Refuse(alias, current) is { } refusal)
        {
            return result with { Reason = refusal };
        }

        var sequence = ReadLong(tags, RotationTags.Sequence) + 1;
        var marker = RotationTags.MarkerAlias(alias, sequence);
        var markerTarget = await _calls.DescribeAsync(marker, ct);

        KeyMetadata? newKey = null;
        var resumed = false;
        string claim;
        if (markerTarget is null)
        {
            if (Decide(request, current, tags) is { } skip)
            {
                return result with { Outcome = RotationOutcome.Skipped, Reason = skip };
            }

            if (request.DryRun)
            {
                return result with { Outcome = RotationOutcome.Planned, Reason = DescribePlan(alias, current, tags) };
            }

            if (!await _calls.ClaimAsync(marker, current.KeyId, ct))
            {
                return result with { Outcome = RotationOutcome.Skipped, Reason = $"Another run is rotating {alias} right now (it claimed {marker}); this run left it alone." };
            }

            claim = marker;
            Log(RotationLogLevel.Information, $"Claimed {marker}", request, alias, current.KeyId);
        }
        else if (markerTarget.KeyId == current.KeyId)
        {
            var takeover = await TakeOverAsync(request, alias, current, tags, marker, ct);
            if (takeover.Refusal is { } refusalResult)
            {
                return result with { Outcome = refusalResult.Outcome, Reason = refusalResult.Reason };
            }

            claim = takeover.Claim!;
            resumed = true;

            // The run that claimed may have created its key and died before recording it: adopt that key.
            newKey = await FindUnrecordedKeyAsync(alias, current.KeyId, sequence, ct);
            if (newKey is not null)
            {
                var adopted = newKey;
                await ReleasingClaimOnFailureAsync(current.KeyId, claim, () => SealAsync(adopted.KeyId, tags, ct), ct);
                await ReleasingClaimOnFailureAsync(current.KeyId, claim, () => KmsCalls.CallAsync("UpdateAlias", () => _kms.UpdateAliasAsync(new UpdateAliasRequest { AliasName = marker, TargetKeyId = newKey.KeyId }, ct)), ct);
                Log(RotationLogLevel.Warning, $"Adopted key {newKey.KeyId}, created by a run that died before recording it", request, alias, current.KeyId, newKey.KeyId);
            }
        }
        else
        {
            var (notOurs, finished) = await CheckRecordedAsync(alias, current, sequence, marker, markerTarget, ct);
            if (notOurs is not null)
            {
                return result with { NewKeyId = markerTarget.KeyId, NewKeyArn = markerTarget.Arn, Reason = notOurs };
            }

            if (finished)
            {
                // This run read the alias just before another run moved it and finished every step.
                return result with { Outcome = RotationOutcome.Skipped, NewKeyId = markerTarget.KeyId, NewKeyArn = markerTarget.Arn, Reason = $"Another run has just rotated {alias} to {markerTarget.KeyId}; nothing left to do." };
            }

            if (request.DryRun)
            {
                return result with { Outcome = RotationOutcome.Planned, NewKeyId = markerTarget.KeyId, NewKeyArn = markerTarget.Arn, Reason = $"Would finish the interrupted rotation to key {markerTarget.KeyId}." };
            }

            newKey = markerTarget;
            resumed = true;
            claim = marker;

            // Recorded keys are sealed before the marker moves to them; this only seals a key recorded by an
            // earlier version of the tool (its copied tags came with CreateKey, so only keyrotation: tags are missing).
            await SealAsync(newKey.KeyId, [], ct);
        }

        if (newKey is null)
        {
            var created = await ReleasingClaimOnFailureAsync(current.KeyId, claim, () => CreateKeyAsync(request, alias, current, tags, sequence, ct), ct);
            newKey = created;
            Log(RotationLogLevel.Information, "Created the new key", request, alias, current.KeyId, created.KeyId);
            await ReleasingClaimOnFailureAsync(current.KeyId, claim, () => SealAsync(created.KeyId, tags, ct), ct);
            await ReleasingClaimOnFailureAsync(current.KeyId, claim, () => KmsCalls.CallAsync("UpdateAlias", () => _kms.UpdateAliasAsync(new UpdateAliasRequest { AliasName = marker, TargetKeyId = created.KeyId }, ct)), ct);
        }

        var notes = _importer is not null && newKey.Origin == OriginType.EXTERNAL
            ? await _importer.EnsureImportedAsync(alias, newKey, ct)
            : [];

        var ready = await _calls.DescribeAsync(newKey.KeyId, ct)
            ?? throw new RotationException($"The new key {newKey.KeyId} disappeared before the alias was moved; the alias still points at {current.KeyId}.");
        var notReadyReason = CheckReady(current, ready);
        if (notReadyReason is null && _options.KeyMaterialOrigin == KeyMaterialOrigin.External && _importer is not null)
        {
            notReadyReason = _importer.CheckImported(ready);
        }

        if (notReadyReason is { } notReady)
        {
            return result with { NewKeyId = ready.KeyId, NewKeyArn = ready.Arn, Reason = $"{notReady} The alias still points at {current.KeyId}." };
        }

        // Retire the old key while the alias still points at it: the role reaches it through kms:ResourceAliases,
        // which stops matching once the alias moves (and a tag written moments before may not yet count for
        // authorization). A run that dies between this and the move is finished by the next run.
        await RetireAsync(current.KeyId, alias, ready.KeyId, ct);
        await KmsCalls.CallAsync("UpdateAlias", () => _kms.UpdateAliasAsync(new UpdateAliasRequest { AliasName = alias, TargetKeyId = ready.KeyId }, ct));
        Log(RotationLogLevel.Information, "Moved the alias to the new key", request, alias, current.KeyId, ready.KeyId);

        return result with
        {
            Outcome = RotationOutcome.Rotated,
            NewKeyId = ready.KeyId,
            NewKeyArn = ready.Arn,
            Resumed = resumed,
            Notes = notes,
            Reason = resumed
                ? $"Finished an interrupted rotation: {alias} now points at {ready.KeyId}; {current.KeyId} stays enabled for decryption."
                : $"{alias} now points at the new key {ready.KeyId}; {current.KeyId} stays enabled for decryption.",
        };
    }

    /// <summary>The last step of a rotation: the new key is active, nothing is left for a later run to finish.</summary>
    public async Task MarkActiveAsync(string newKeyId, CancellationToken ct) =>
        await KmsCalls.CallAsync("TagResource", () => _kms.TagResourceAsync(
            new TagResourceRequest { KeyId = newKeyId, Tags = [new Tag { TagKey = RotationTags.State, TagValue = RotationTags.KeyStates.Active }] },
            ct));

    /// <summary>
    /// A claim on the marker whose run never recorded a key. While it is fresh (and not released), another run may still
    /// be working: skip. Once stale or released, take it over with a takeover alias, itself claimed with CreateAlias,
    /// so that of two runs finding the same stale claim only one goes on.
    /// </summary>
    private async Task<(string? Claim, (RotationOutcome Outcome, string Reason)? Refusal)> TakeOverAsync(
        RotationRequest request, string alias, KeyMetadata current, Dictionary<string, string> tags, string marker, CancellationToken ct)
    {
        // The latest claim is the marker or its highest takeover; all of them point at the current key.
        var claims = await ClaimTimesAsync(current.KeyId, ct);
        var rank = 0;
        while (rank < MaxTakeovers && claims.ContainsKey(RotationTags.TakeoverAlias(marker, rank + 1)))
        {
            rank++;
        }

        var holder = rank == 0 ? marker : RotationTags.TakeoverAlias(marker, rank);
        var claimedAt = claims.GetValueOrDefault(holder, _time.GetUtcNow());
        var released = ReleaseCovers(tags.GetValueOrDefault(RotationTags.ClaimReleased), marker, rank);
        if (!released && _time.GetUtcNow() - claimedAt < _options.ClaimTimeout)
        {
            return (null, (RotationOutcome.Skipped,
                $"Another run claimed {alias} at {RotationTags.FormatTime(claimedAt)} and may still be rotating it; a run after {RotationTags.FormatTime(claimedAt + _options.ClaimTimeout)} finishes it if that run died."));
        }

        if (request.DryRun)
        {
            return (null, (RotationOutcome.Planned, $"Would finish the rotation an earlier run claimed at {RotationTags.FormatTime(claimedAt)} and did not finish."));
        }

        if (rank == MaxTakeovers)
        {
            return (null, (RotationOutcome.Failed,
                $"The rotation of {alias} was claimed and taken over {MaxTakeovers} times without finishing. Check the function's logs; the aliases {marker}* record the attempts."));
        }

        var takeover = RotationTags.TakeoverAlias(marker, rank + 1);
        if (!await _calls.ClaimAsync(takeover, current.KeyId, ct))
        {
            return (null, (RotationOutcome.Skipped, $"Another run is taking over the unfinished rotation of {alias} right now (it claimed {takeover}); this run left it alone."));
        }

        Log(RotationLogLevel.Warning, $"Took over the {(released ? "released" : "stale")} claim {holder} with {takeover}", request, alias, current.KeyId);
        return (takeover, null);
    }

    /// <summary>
    /// Whether the released claim (the marker, or its takeover number n) covers the claim at <paramref name="rank"/>
    /// (0: the marker; k: takeover k). Claims are made in order, so releasing a later one means the earlier ones were
    /// already stale or released.
    /// </summary>
    private static bool ReleaseCovers(string? released, string marker, int rank)
    {
        if (released is null)
        {
            return false;
        }

        for (var k = rank; k <= MaxTakeovers; k++)
        {
            if (released == (k == 0 ? marker : RotationTags.TakeoverAlias(marker, k)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A marker pointing at another key is only resumed when that key is this rotation's: created for this alias, from
    /// the current key, for this move. Anything else (an interrupted rollback, an alias moved by hand) is refused.
    /// </summary>
    private async Task<(string? NotOurs, bool Finished)> CheckRecordedAsync(string alias, KeyMetadata current, long sequence, string marker, KeyMetadata recorded, CancellationToken ct)
    {
        var tags = await _calls.TagsAsync(recorded.KeyId, ct);
        var ours = tags.GetValueOrDefault(RotationTags.Alias) == alias
            && tags.GetValueOrDefault(RotationTags.PreviousKey) == current.KeyId
            && tags.GetValueOrDefault(RotationTags.Sequence) == sequence.ToString(CultureInfo.InvariantCulture);
        return ours
            ? (null, tags.GetValueOrDefault(RotationTags.State) == RotationTags.KeyStates.Active)
            : ($"{marker} points at key {recorded.KeyId}, which is not a rotation of {current.KeyId} (an interrupted rollback, or the alias was moved by hand). Nothing was changed: run 'keyrotation status {alias}' and finish or redo the rollback.", false);
    }

    /// <summary>
    /// Runs a step between the claim and the recorded key. If it fails in a way this run reports (not a crash), the
    /// claim is marked released on the old key, so the next run takes over at once rather than after the claim timeout
    /// (and adopts the key if KMS created it after all).
    /// </summary>
    private async Task<T> ReleasingClaimOnFailureAsync<T>(string currentKeyId, string claim, Func<Task<T>> step, CancellationToken ct)
    {
        try
        {
            return await step();
        }
        catch (Exception ex) when (ex is RotationException or AmazonClientException or AmazonServiceException or HttpRequestException)
        {
            try
            {
                await _kms.TagResourceAsync(new TagResourceRequest { KeyId = currentKeyId, Tags = [new Tag { TagKey = RotationTags.ClaimReleased, TagValue = claim }] }, ct);
            }
            catch (AmazonServiceException)
            {
                // The claim then simply times out; the step's own error is the one to report.
            }

            throw;
        }
    }

    private async Task<AliasRotationResult> FinishMovedAsync(RotationRequest request, string alias, KeyMetadata current, Dictionary<string, string> tags, CancellationToken ct)
    {
        var previous = tags.GetValueOrDefault(RotationTags.PreviousKey);
        var previousKey = previous is null ? null : await _calls.DescribeAsync(previous, ct);
        var result = new AliasRotationResult
        {
            Alias = alias,
            Outcome = request.DryRun ? RotationOutcome.Planned : RotationOutcome.Rotated,
            PreviousKeyId = previous,
            PreviousKeyArn = previousKey?.Arn,
            NewKeyId = current.KeyId,
            NewKeyArn = current.Arn,
            KeySpec = current.KeySpec?.Value,
            Resumed = true,
            Reason = request.DryRun
                ? $"Would finish the rotation to {current.KeyId}: the alias already moved; the previous key is not yet tagged retired or the notification not yet sent."
                : $"Finished an interrupted rotation: {alias} already pointed at {current.KeyId}; tagged {previous} retired and sent the notification.",
        };
        if (!request.DryRun && previous is not null)
        {
            await RetireAsync(previous, alias, current.KeyId, ct);
        }

        if (!request.DryRun && _importer is not null && current.Origin == OriginType.EXTERNAL)
        {
            // Already imported: this only names the escrow copy for the notification.
            result = result with { Notes = await _importer.EnsureImportedAsync(alias, current, ct) };
        }

        return result;
    }

    private string? Refuse(string alias, KeyMetadata key)
    {
        if (key.KeyManager == KeyManagerType.AWS)
        {
            return $"{alias} points at an AWS managed key ({key.KeyId}); AWS rotates those itself and this tool never touches them.";
        }

        if (key.KeyState != KeyState.Enabled)
        {
            var why = key.KeyState == KeyState.PendingImport
                ? "it is waiting for imported key material"
                : key.KeyState == KeyState.PendingDeletion
                    ? $"it is scheduled for deletion{(key.DeletionDate is { } d ? " on " + RotationTags.FormatTime(d) : string.Empty)}; cancel the deletion first if the alias is still in use"
                    : "enable it first if the alias is still in use";
            return $"{alias} points at key {key.KeyId}, which is {key.KeyState}, not Enabled: {why}. Nothing was changed.";
        }

        if (!string.IsNullOrEmpty(key.CustomKeyStoreId))
        {
            return $"{alias} points at key {key.KeyId} in custom key store {key.CustomKeyStoreId}; keys in custom key stores are not supported.";
        }

        if (key.MultiRegion == true)
        {
            return $"{alias} points at multi-Region key {key.KeyId}; multi-Region keys are not supported yet (their replicas would need rotating too).";
        }

        if (_options.KeyMaterialOrigin == KeyMaterialOrigin.External && _importer?.Refuse(key) is { } importRefusal)
        {
            return importRefusal;
        }

        return null;
    }

    private string? Decide(RotationRequest request, KeyMetadata current, Dictionary<string, string> tags)
    {
        if (request.Force)
        {
            return null;
        }

        if (request.ScheduleSlot is { } slot && tags.GetValueOrDefault(RotationTags.ScheduleSlot) == RotationTags.FormatSlot(slot))
        {
            return $"Already rotated for the schedule slot {RotationTags.FormatSlot(slot)} (key {current.KeyId}); a repeated delivery of the same event changes nothing.";
        }

        var created = current.CreationDate is { } date ? new DateTimeOffset(DateTime.SpecifyKind(date, DateTimeKind.Utc)) : (DateTimeOffset?)null;
        if (created is { } c && _time.GetUtcNow() - c < _options.MinKeyAge)
        {
            var hours = (_time.GetUtcNow() - c).TotalHours;
            return string.Create(CultureInfo.InvariantCulture, $"Key {current.KeyId} is {hours:0.#} hours old, younger than the minimum age of {_options.MinKeyAge.TotalHours:0.#} hours; use force to rotate anyway.");
        }

        return null;
    }

    private string DescribePlan(string alias, KeyMetadata current, Dictionary<string, string> tags)
    {
        var copied = tags.Keys.Count(k => !RotationTags.IsOwnTag(k));
        var origin = _options.KeyMaterialOrigin == KeyMaterialOrigin.External && _importer is not null
            ? " " + _importer.DescribePlan(alias)
            : string.Empty;
        return $"Would create a {current.KeySpec?.Value} {current.KeyUsage?.Value} key copying the description, the default key policy and {copied} tag(s) of {current.KeyId}, " +
            $"as generation {ReadLong(tags, RotationTags.Generation, 1) + 1};{origin} move {alias} to it; tag {current.KeyId} retired (it stays enabled).";
    }

    /// <summary>When each alias pointing at the key was last pointed at it: the claims on it and their times.</summary>
    private async Task<Dictionary<string, DateTimeOffset>> ClaimTimesAsync(string currentKeyId, CancellationToken ct)
    {
        var claims = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        string? nextMarker = null;
        do
        {
            var page = await KmsCalls.CallAsync("ListAliases", () => _kms.ListAliasesAsync(new ListAliasesRequest { KeyId = currentKeyId, Marker = nextMarker }, ct));
            foreach (var entry in page.Aliases ?? [])
            {
                if ((entry.LastUpdatedDate ?? entry.CreationDate) is { } when)
                {
                    claims[entry.AliasName] = new DateTimeOffset(DateTime.SpecifyKind(when, DateTimeKind.Utc));
                }
            }

            nextMarker = page.Truncated == true ? page.NextMarker : null;
        }
        while (nextMarker is not null);

        return claims;
    }

    /// <summary>
    /// The one costly lookup, needed only after a run died between CreateKey and recording the key on the marker:
    /// every key is listed and the one tagged for this alias and move number is adopted.
    /// </summary>
    private async Task<KeyMetadata?> FindUnrecordedKeyAsync(string alias, string previousKeyId, long sequence, CancellationToken ct)
    {
        var wanted = sequence.ToString(CultureInfo.InvariantCulture);
        string? nextMarker = null;
        do
        {
            var page = await KmsCalls.CallAsync("ListKeys", () => _kms.ListKeysAsync(new ListKeysRequest { Marker = nextMarker }, ct));
            foreach (var key in page.Keys ?? [])
            {
                Dictionary<string, string> tags;
                try
                {
                    tags = await _calls.TagsAsync(key.KeyId, ct);
                }
                catch (RotationException ex) when (ex.InnerException is NotFoundException or AmazonServiceException { ErrorCode: "AccessDeniedException" })
                {
                    continue;
                }

                if (tags.GetValueOrDefault(RotationTags.Alias) == alias
                    && tags.GetValueOrDefault(RotationTags.Sequence) == wanted
                    && tags.GetValueOrDefault(RotationTags.PreviousKey) == previousKeyId)
                {
                    return await _calls.DescribeAsync(key.KeyId, ct);
                }
            }

            nextMarker = page.Truncated == true ? page.NextMarker : null;
        }
        while (nextMarker is not null);

        return null;
    }

    private async Task<KeyMetadata> CreateKeyAsync(RotationRequest request, string alias, KeyMetadata current, Dictionary<string, string> tags, long sequence, CancellationToken ct)
    {
        var policy = await KmsCalls.CallAsync("GetKeyPolicy", () => _kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = current.KeyId, PolicyName = "default" }, ct));
        var now = _time.GetUtcNow();
        var own = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [RotationTags.Alias] = alias,
            [RotationTags.RotationId] = request.RotationId,
            [RotationTags.PreviousKey] = current.KeyId,
            [RotationTags.CreatedAt] = RotationTags.FormatTime(now),
            [RotationTags.Generation] = (ReadLong(tags, RotationTags.Generation, 1) + 1).ToString(CultureInfo.InvariantCulture),
            [RotationTags.Sequence] = sequence.ToString(CultureInfo.InvariantCulture),
            [RotationTags.State] = RotationTags.KeyStates.Pending,
        };
        if (request.ScheduleSlot is { } slot)
        {
            own[RotationTags.ScheduleSlot] = RotationTags.FormatSlot(slot);
        }

        var copied = CopiedTags(tags);
        if (copied.Count + own.Count + 1 > MaxTagsPerKey)
        {
            throw new RotationException($"Key {current.KeyId} has {copied.Count} tags of its own; with this tool's {own.Count + 1} the new key would exceed KMS's limit of {MaxTagsPerKey}. Remove some tags from the key.");
        }

        var create = new CreateKeyRequest
        {
            Description = current.Description,
            KeySpec = current.KeySpec,
            KeyUsage = current.KeyUsage,
            Origin = _options.KeyMaterialOrigin == KeyMaterialOrigin.External ? OriginType.EXTERNAL : OriginType.AWS_KMS,
            Policy = policy.Policy,
            MultiRegion = false,
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
                $"for this function's role to the policy of {current.KeyId} (README, section \"Permissions: IAM and key policy\"): KMS's policy lockout safety check requires the copied policy to let the role call kms:PutKeyPolicy on the new key. Nothing was created.",
                ex);
        }
        catch (AmazonServiceException ex)
        {
            throw KmsCalls.StepFailed("CreateKey", ex);
        }
    }

    /// <summary>
    /// Finishes the new key's setup in one TagResource request: the predecessor's tags (all but this tool's own) and
    /// <see cref="RotationTags.Sealed"/>. The key policy allows it while the key has no alias yet; after it, IAM denies
    /// the role any key policy change and any tag outside keyrotation: on this key. Safe to repeat: a sealed key is
    /// left alone, and only tags the key lacks are written. True when it wrote.
    /// </summary>
    private async Task<bool> SealAsync(string newKeyId, Dictionary<string, string> predecessorTags, CancellationToken ct)
    {
        var present = await _calls.TagsAsync(newKeyId, ct);
        if (present.ContainsKey(RotationTags.Sealed))
        {
            return false;
        }

        var missing = CopiedTags(predecessorTags).Where(t => !(present.TryGetValue(t.Key, out var value) && value == t.Value));
        await _calls.TagAsync(newKeyId, [.. missing, new(RotationTags.Sealed, RotationTags.SealedValue)], ct);
        return true;
    }

    /// <summary>The predecessor's tags a new key gets: all but this tool's own and AWS's reserved ones.</summary>
    private static List<KeyValuePair<string, string>> CopiedTags(Dictionary<string, string> tags) =>
        [.. tags.Where(t => !RotationTags.IsOwnTag(t.Key) && !t.Key.StartsWith("aws:", StringComparison.Ordinal))];

    /// <summary>
    /// CreateKey is not idempotent: a retry after a lost response creates a second key. So it goes through a client that
    /// does not retry, and only throttling (the request was refused, not processed) is retried here. Any other failure
    /// leaves it unknown whether KMS created the key; the claim is then released and the next run adopts the key if
    /// it exists (it carries this alias, move number and predecessor in its tags).
    /// </summary>
    private async Task<KeyMetadata> CreateKeyOnceAsync(CreateKeyRequest create, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return (await _createKeyClient.CreateKeyAsync(create, ct)).KeyMetadata;
            }
            catch (AmazonServiceException ex) when (IsThrottling(ex) && attempt < CreateKeyAttempts)
            {
                // Backoff is waiting, not time-based logic: real time, so a fake clock in tests cannot stall it.
                var delay = TimeSpan.FromMilliseconds(Math.Min(5000, 100 * Math.Pow(2, attempt)) * (0.5 + (Random.Shared.NextDouble() / 2)));
                await Task.Delay(delay, ct);
            }
            catch (AmazonClientException ex)
            {
                throw new RotationException($"KMS CreateKey failed before an answer came back ({ex.Message}); if KMS created the key anyway, the next run adopts it.", ex);
            }
        }
    }

    private static bool IsThrottling(AmazonServiceException ex) =>
        ex.ErrorCode is "ThrottlingException" or "Throttling" or "TooManyRequestsException" || (int)ex.StatusCode == 429;

    private static string? CheckReady(KeyMetadata current, KeyMetadata candidate)
    {
        if (candidate.KeyState != KeyState.Enabled)
        {
            return $"The new key {candidate.KeyId} is {candidate.KeyState}, not Enabled.";
        }

        if (candidate.KeySpec != current.KeySpec || candidate.KeyUsage != current.KeyUsage)
        {
            return $"The new key {candidate.KeyId} is {candidate.KeySpec?.Value}/{candidate.KeyUsage?.Value}, but the alias's key is {current.KeySpec?.Value}/{current.KeyUsage?.Value}.";
        }

        return null;
    }

    private async Task RetireAsync(string oldKeyId, string alias, string newKeyId, CancellationToken ct) =>
        await KmsCalls.CallAsync("TagResource", () => _kms.TagResourceAsync(
            new TagResourceRequest
            {
                KeyId = oldKeyId,
                Tags =
                [
                    new Tag { TagKey = RotationTags.Alias, TagValue = alias },
                    new Tag { TagKey = RotationTags.State, TagValue = RotationTags.KeyStates.Retired },
                    new Tag { TagKey = RotationTags.RetiredAt, TagValue = RotationTags.FormatTime(_time.GetUtcNow()) },
                    new Tag { TagKey = RotationTags.SuccessorKey, TagValue = newKeyId },
                    new Tag { TagKey = RotationTags.Sealed, TagValue = RotationTags.SealedValue },
                ],
            },
            ct));

    private static long ReadLong(Dictionary<string, string> tags, string key, long fallback = 0) =>
        tags.TryGetValue(key, out var text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    private void Log(RotationLogLevel level, string message, RotationRequest request, string alias, string? keyId = null, string? newKeyId = null) =>
        _log.Write(new RotationLogEntry(level, message, request.RotationId, alias, keyId, newKeyId));
}
