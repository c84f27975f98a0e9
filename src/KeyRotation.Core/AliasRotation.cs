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

    private readonly IAmazonKeyManagementService _kms;
    private readonly RotationOptions _options;
    private readonly TimeProvider _time;
    private readonly IRotationLog _log;
    private readonly IKeyMaterialImporter? _importer;

    public AliasRotation(IAmazonKeyManagementService kms, RotationOptions options, TimeProvider time, IRotationLog log, IKeyMaterialImporter? importer)
    {
        _kms = kms;
        _options = options;
        _time = time;
        _log = log;
        _importer = importer;
    }

    public async Task<AliasRotationResult> RotateAsync(RotationRequest request, string alias, CancellationToken ct)
    {
        var current = await DescribeKeyAsync(alias, ct)
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

        var tags = await ListTagsAsync(current.KeyId, ct);
        if (tags.TryGetValue(RotationTags.Alias, out var taggedAlias) && taggedAlias != alias)
        {
            return result with { Reason = $"Key {current.KeyId} was created by this tool for {taggedAlias}, not {alias}; rotate {taggedAlias} instead, or point {alias} at a key of its own." };
        }

        if (tags.TryGetValue(RotationTags.State, out var state) && state == RotationTags.KeyStates.Pending && taggedAlias == alias)
        {
            return await FinishMovedAsync(request, alias, current, tags, ct);
        }

        if (Refuse(alias, current) is { } refusal)
        {
            return result with { Reason = refusal };
        }

        var sequence = ReadLong(tags, RotationTags.Sequence) + 1;
        var marker = RotationTags.MarkerAlias(alias, sequence);
        var markerTarget = await DescribeKeyAsync(marker, ct);

        KeyMetadata? newKey = null;
        var resumed = false;
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

            if (!await ClaimAsync(marker, current.KeyId, ct))
            {
                return result with { Outcome = RotationOutcome.Skipped, Reason = $"Another run is rotating {alias} right now (it claimed {marker}); this run left it alone." };
            }

            Log(RotationLogLevel.Information, $"Claimed {marker}", request, alias, current.KeyId);
        }
        else if (markerTarget.KeyId == current.KeyId)
        {
            var claimedAt = await ClaimTimeAsync(marker, current.KeyId, ct);
            var age = _time.GetUtcNow() - claimedAt;
            if (age < _options.ClaimTimeout)
            {
                return result with
                {
                    Outcome = RotationOutcome.Skipped,
                    Reason = $"Another run claimed {alias} at {RotationTags.FormatTime(claimedAt)} and may still be rotating it; a run after {RotationTags.FormatTime(claimedAt + _options.ClaimTimeout)} finishes it if that run died.",
                };
            }

            if (request.DryRun)
            {
                return result with { Outcome = RotationOutcome.Planned, Reason = $"Would finish the rotation an earlier run claimed at {RotationTags.FormatTime(claimedAt)} and did not finish." };
            }

            // The run that claimed may have created its key and died before recording it: adopt that key.
            newKey = await FindUnrecordedKeyAsync(alias, current.KeyId, sequence, ct);
            resumed = true;
            if (newKey is not null)
            {
                await CallAsync("UpdateAlias", () => _kms.UpdateAliasAsync(new UpdateAliasRequest { AliasName = marker, TargetKeyId = newKey.KeyId }, ct));
                Log(RotationLogLevel.Warning, $"Adopted key {newKey.KeyId}, created by a run that died before recording it", request, alias, current.KeyId, newKey.KeyId);
            }
        }
        else
        {
            if (request.DryRun)
            {
                return result with { Outcome = RotationOutcome.Planned, NewKeyId = markerTarget.KeyId, NewKeyArn = markerTarget.Arn, Reason = $"Would finish the interrupted rotation to key {markerTarget.KeyId}." };
            }

            newKey = markerTarget;
            resumed = true;
        }

        if (newKey is null)
        {
            newKey = await CreateKeyAsync(request, alias, current, tags, sequence, ct);
            Log(RotationLogLevel.Information, "Created the new key", request, alias, current.KeyId, newKey.KeyId);
            await CallAsync("UpdateAlias", () => _kms.UpdateAliasAsync(new UpdateAliasRequest { AliasName = marker, TargetKeyId = newKey.KeyId }, ct));
        }

        var notes = _importer is not null && newKey.Origin == OriginType.EXTERNAL
            ? await _importer.EnsureImportedAsync(alias, newKey, ct)
            : [];

        var ready = await DescribeKeyAsync(newKey.KeyId, ct)
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

        if (!tags.ContainsKey(RotationTags.Alias))
        {
            // Once the alias moves, the old key has no alias left for the role's kms:ResourceAliases scope;
            // this tag keeps it in the role's reach for retiring it (and for a resumed run doing so).
            await CallAsync("TagResource", () => _kms.TagResourceAsync(
                new TagResourceRequest { KeyId = current.KeyId, Tags = [new Tag { TagKey = RotationTags.Alias, TagValue = alias }] },
                ct));
        }

        await CallAsync("UpdateAlias", () => _kms.UpdateAliasAsync(new UpdateAliasRequest { AliasName = alias, TargetKeyId = ready.KeyId }, ct));
        Log(RotationLogLevel.Information, "Moved the alias to the new key", request, alias, current.KeyId, ready.KeyId);
        await RetireAsync(current.KeyId, ready.KeyId, ct);

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
        await CallAsync("TagResource", () => _kms.TagResourceAsync(
            new TagResourceRequest { KeyId = newKeyId, Tags = [new Tag { TagKey = RotationTags.State, TagValue = RotationTags.KeyStates.Active }] },
            ct));

    private async Task<AliasRotationResult> FinishMovedAsync(RotationRequest request, string alias, KeyMetadata current, Dictionary<string, string> tags, CancellationToken ct)
    {
        var previous = tags.GetValueOrDefault(RotationTags.PreviousKey);
        var previousKey = previous is null ? null : await DescribeKeyAsync(previous, ct);
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
            await RetireAsync(previous, current.KeyId, ct);
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

    private async Task<bool> ClaimAsync(string marker, string currentKeyId, CancellationToken ct)
    {
        try
        {
            await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = marker, TargetKeyId = currentKeyId }, ct);
            return true;
        }
        catch (AlreadyExistsException)
        {
            return false;
        }
        catch (AmazonServiceException ex)
        {
            throw StepFailed("CreateAlias", ex);
        }
    }

    private async Task<DateTimeOffset> ClaimTimeAsync(string marker, string currentKeyId, CancellationToken ct)
    {
        string? nextMarker = null;
        do
        {
            var page = await CallAsync("ListAliases", () => _kms.ListAliasesAsync(new ListAliasesRequest { KeyId = currentKeyId, Marker = nextMarker }, ct));
            if (page.Aliases?.FirstOrDefault(a => a.AliasName == marker) is { } entry)
            {
                var when = entry.LastUpdatedDate ?? entry.CreationDate;
                return when is { } w ? new DateTimeOffset(DateTime.SpecifyKind(w, DateTimeKind.Utc)) : DateTimeOffset.MinValue;
            }

            nextMarker = page.Truncated == true ? page.NextMarker : null;
        }
        while (nextMarker is not null);

        // The marker moved on between the two calls: treat the claim as fresh, the next run looks again.
        return _time.GetUtcNow();
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
            var page = await CallAsync("ListKeys", () => _kms.ListKeysAsync(new ListKeysRequest { Marker = nextMarker }, ct));
            foreach (var key in page.Keys ?? [])
            {
                Dictionary<string, string> tags;
                try
                {
                    tags = await ListTagsAsync(key.KeyId, ct);
                }
                catch (RotationException ex) when (ex.InnerException is NotFoundException or AmazonServiceException { ErrorCode: "AccessDeniedException" })
                {
                    continue;
                }

                if (tags.GetValueOrDefault(RotationTags.Alias) == alias
                    && tags.GetValueOrDefault(RotationTags.Sequence) == wanted
                    && tags.GetValueOrDefault(RotationTags.PreviousKey) == previousKeyId)
                {
                    return await DescribeKeyAsync(key.KeyId, ct);
                }
            }

            nextMarker = page.Truncated == true ? page.NextMarker : null;
        }
        while (nextMarker is not null);

        return null;
    }

    private async Task<KeyMetadata> CreateKeyAsync(RotationRequest request, string alias, KeyMetadata current, Dictionary<string, string> tags, long sequence, CancellationToken ct)
    {
        var policy = await CallAsync("GetKeyPolicy", () => _kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = current.KeyId, PolicyName = "default" }, ct));
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

        var copied = tags.Where(t => !RotationTags.IsOwnTag(t.Key) && !t.Key.StartsWith("aws:", StringComparison.Ordinal)).ToList();
        if (copied.Count + own.Count > MaxTagsPerKey)
        {
            throw new RotationException($"Key {current.KeyId} has {copied.Count} tags of its own; with this tool's {own.Count} the new key would exceed KMS's limit of {MaxTagsPerKey}. Remove some tags from the key.");
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
            Tags = [.. copied.Select(t => new Tag { TagKey = t.Key, TagValue = t.Value }), .. own.Select(t => new Tag { TagKey = t.Key, TagValue = t.Value })],
        };
        try
        {
            var response = await _kms.CreateKeyAsync(create, ct);
            return response.KeyMetadata;
        }
        catch (MalformedPolicyDocumentException ex)
        {
            throw new RotationException(
                $"CreateKey refused the key policy copied from {current.KeyId}: {ex.Message} KMS's policy lockout safety check requires the policy to let this function's role call kms:PutKeyPolicy on the new key (see the README's key policy section).",
                ex);
        }
        catch (AmazonServiceException ex)
        {
            throw StepFailed("CreateKey", ex);
        }
    }

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

    private async Task RetireAsync(string oldKeyId, string newKeyId, CancellationToken ct) =>
        await CallAsync("TagResource", () => _kms.TagResourceAsync(
            new TagResourceRequest
            {
                KeyId = oldKeyId,
                Tags =
                [
                    new Tag { TagKey = RotationTags.State, TagValue = RotationTags.KeyStates.Retired },
                    new Tag { TagKey = RotationTags.RetiredAt, TagValue = RotationTags.FormatTime(_time.GetUtcNow()) },
                    new Tag { TagKey = RotationTags.SuccessorKey, TagValue = newKeyId },
                ],
            },
            ct));

    private async Task<KeyMetadata?> DescribeKeyAsync(string keyId, CancellationToken ct)
    {
        try
        {
            return (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId }, ct)).KeyMetadata;
        }
        catch (NotFoundException)
        {
            return null;
        }
        catch (AmazonServiceException ex)
        {
            throw StepFailed("DescribeKey", ex);
        }
    }

    private async Task<Dictionary<string, string>> ListTagsAsync(string keyId, CancellationToken ct)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        string? marker = null;
        do
        {
            var page = await CallAsync("ListResourceTags", () => _kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = keyId, Marker = marker }, ct));
            foreach (var tag in page.Tags ?? [])
            {
                tags[tag.TagKey] = tag.TagValue ?? string.Empty;
            }

            marker = page.Truncated == true ? page.NextMarker : null;
        }
        while (marker is not null);

        return tags;
    }

    private static long ReadLong(Dictionary<string, string> tags, string key, long fallback = 0) =>
        tags.TryGetValue(key, out var text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    private static async Task<T> CallAsync<T>(string operation, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (AmazonServiceException ex)
        {
            throw StepFailed(operation, ex);
        }
    }

    private static RotationException StepFailed(string operation, AmazonServiceException ex) =>
        new($"KMS {operation} failed: {ex.ErrorCode ?? ex.GetType().Name}: {ex.Message}", ex);

    private void Log(RotationLogLevel level, string message, RotationRequest request, string alias, string? keyId = null, string? newKeyId = null) =>
        _log.Write(new RotationLogEntry(level, message, request.RotationId, alias, keyId, newKeyId));
}
