using System.Globalization;
using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;

namespace KeyRotation.Core.Protocol;

/// <summary>
/// Who may work on a move, and until when. A move is claimed by creating its marker alias (CreateAlias fails for
/// every run but one); a claim whose run died or gave up is taken over by creating the next takeover alias, again
/// with CreateAlias. Ages are measured on KMS's clock only: the alias's clock alias is touched (UpdateAlias) and its
/// LastUpdatedDate read back next to the claims' CreationDates in the same ListAliases answer. A claim expires after
/// <see cref="RotationOptions.ClaimTimeout"/>, longer than any run may live, so its run has stopped writing by then.
/// </summary>
internal sealed class ClaimSteps
{
    /// <summary>KMS allows 50 aliases per key; the takeovers of one move point at one key, so they stop well below that.</summary>
    internal const int MaxTakeovers = 40;

    /// <summary>KMS tag values hold at most 256 characters.</summary>
    private const int MaxTagValue = 256;

    private readonly IAmazonKeyManagementService _kms;
    private readonly KmsCalls _calls;

    public ClaimSteps(IAmazonKeyManagementService kms)
    {
        _kms = kms;
        _calls = new KmsCalls(kms);
    }

    /// <summary>The alias whose LastUpdatedDate is KMS's "now" for this alias's claims.</summary>
    public static string ClockAlias(string alias) => MarkerNames.Clock(alias);

    /// <summary>Claims a move: true when this run created the marker (pointing at the key being replaced).</summary>
    public Task<bool> ClaimAsync(string marker, string fromKeyId, CancellationToken ct) => _calls.ClaimAsync(marker, fromKeyId, ct);

    /// <summary>Takes over the claim after <paramref name="claim"/>: true when this run created the next takeover alias.</summary>
    public Task<bool> TakeOverAsync(string marker, ClaimInfo claim, string markerTargetKeyId, CancellationToken ct) =>
        _calls.ClaimAsync(MarkerNames.Takeover(marker, claim.Rank + 1), markerTargetKeyId, ct);

    /// <summary>The claim on the state's move (claimed, recorded or moved), with its age on KMS's clock.</summary>
    public async Task<ClaimInfo> ReadAsync(AliasState state, CancellationToken ct)
    {
        var target = state.MarkerTargetKeyId ?? throw new InvalidOperationException($"No claim in phase {state.Phase}.");
        var marker = state.Marker!;
        await TouchClockAsync(state.Alias, target, ct);
        var aliases = await ListAsync(target, ct);
        if (state.FromKeyId is { } from && from != target)
        {
            // Takeovers made before the new key was recorded point at the key being replaced.
            foreach (var entry in await ListAsync(from, ct))
            {
                aliases.TryAdd(entry.Key, entry.Value);
            }
        }

        var clock = ClockAlias(state.Alias);
        var now = aliases.TryGetValue(clock, out var clockTimes) ? clockTimes.Updated : throw new RotationException($"KMS did not list {clock} right after it was updated; run again.");
        var rank = 0;
        while (aliases.ContainsKey(MarkerNames.Takeover(marker, rank + 1)))
        {
            rank++;
        }

        var holder = rank == 0 ? marker : MarkerNames.Takeover(marker, rank);
        var claimedAt = aliases.TryGetValue(holder, out var times) ? times.Created : now;
        var targetTags = state.Phase switch
        {
            AliasPhase.Recorded => state.RecordedTags,
            AliasPhase.Moved when state.RetiresAfterMove => state.FromTags,
            _ => state.CurrentTags,
        };
        return new ClaimInfo(
            holder,
            rank,
            claimedAt,
            now,
            Released: targetTags.GetValueOrDefault(RotationTags.ClaimReleased) == holder,
            LastFailure: targetTags.GetValueOrDefault(RotationTags.LastFailure));
    }

    /// <summary>
    /// The fence every visible write passes first: the run still holds its claim (nobody created the next takeover)
    /// and its deadline has not passed. Throws <see cref="FencedException"/> otherwise.
    /// </summary>
    public async Task FenceAsync(RunClaim claim, DateTimeOffset? deadline, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(claim);
        if (deadline is { } d && now > d)
        {
            throw new FencedException($"This run's deadline ({RecordedTime.Format(d)}) passed before it finished; it stopped before its next write and a later run finishes the rotation.", timedOut: true);
        }

        var next = MarkerNames.Takeover(claim.Marker, claim.Rank + 1);
        if (await _calls.DescribeAsync(next, ct) is not null)
        {
            throw new FencedException($"Another run took this rotation over ({next}) after this run's claim expired; this run stopped before writing anything more.", timedOut: false);
        }
    }

    /// <summary>
    /// Gives the claim up after a failure this run reports, so the next run takes over at once. The cause is kept on the
    /// key (last-failure) so that a later refusal still names it, and so is the new key this run created, if any
    /// (released-with-key), which the next run adopts. Best effort: if this fails, the claim just expires.
    /// </summary>
    public async Task ReleaseAsync(RunClaim claim, string cause, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(claim);
        try
        {
            List<Tag> tags =
            [
                new Tag { TagKey = RotationTags.ClaimReleased, TagValue = claim.Holder },
                new Tag { TagKey = RotationTags.LastFailure, TagValue = ToTagValue(cause) },
            ];
            if (claim.NewKeyId is { } newKeyId && newKeyId != claim.MarkerTargetKeyId)
            {
                tags.Add(new Tag { TagKey = RotationTags.ReleasedWithKey, TagValue = newKeyId });
            }

            await _kms.TagResourceAsync(new TagResourceRequest { KeyId = claim.MarkerTargetKeyId, Tags = tags }, ct);
        }
        catch (AmazonServiceException)
        {
            // The claim then simply times out; the step's own error is the one to report.
        }
    }

    /// <summary>KMS tag values allow letters, digits, spaces and _ . : / = + - @ only, up to 256 characters.</summary>
    internal static string ToTagValue(string text)
    {
        var value = new StringBuilder(Math.Min(text.Length, MaxTagValue));
        foreach (var c in text)
        {
            if (value.Length == MaxTagValue)
            {
                break;
            }

            value.Append(char.IsLetterOrDigit(c) || c is ' ' or '_' or '.' or ':' or '/' or '=' or '+' or '-' or '@' ? c : ' ');
        }

        return value.ToString();
    }

    private async Task TouchClockAsync(string alias, string targetKeyId, CancellationToken ct)
    {
        var clock = ClockAlias(alias);
        try
        {
            await _kms.UpdateAliasAsync(new UpdateAliasRequest { AliasName = clock, TargetKeyId = targetKeyId }, ct);
        }
        catch (NotFoundException)
        {
            // First use for this alias; a concurrent first use is as good.
            await _calls.ClaimAsync(clock, targetKeyId, ct);
        }
        catch (AmazonServiceException ex)
        {
            throw KmsCalls.StepFailed("UpdateAlias", ex);
        }
    }

    private async Task<Dictionary<string, (DateTimeOffset Created, DateTimeOffset Updated)>> ListAsync(string keyId, CancellationToken ct)
    {
        var found = new Dictionary<string, (DateTimeOffset, DateTimeOffset)>(StringComparer.Ordinal);
        try
        {
            await foreach (var entry in _kms.Paginators.ListAliases(new ListAliasesRequest { KeyId = keyId }).Aliases.WithCancellation(ct))
            {
                if (entry.CreationDate is { } created)
                {
                    found[entry.AliasName] = (Utc(created), Utc(entry.LastUpdatedDate ?? created));
                }
            }
        }
        catch (AmazonServiceException ex)
        {
            throw KmsCalls.StepFailed("ListAliases", ex);
        }

        return found;
    }

    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));

    internal static string Describe(ClaimInfo claim) =>
        string.Create(CultureInfo.InvariantCulture, $"{claim.Holder}, claimed at {RecordedTime.Format(claim.ClaimedAt)} (KMS time; {claim.Age.TotalMinutes:0.#} minutes ago)");
}

/// <summary>The claim this run holds on a move: the checks before each visible write ask whether it still does.</summary>
/// <param name="Marker">The move's marker alias.</param>
/// <param name="Rank">0: this run created the marker; k: it created takeover k.</param>
/// <param name="MarkerTargetKeyId">The key the marker points at (where a release is written).</param>
internal sealed record RunClaim(string Marker, int Rank, string MarkerTargetKeyId)
{
    /// <summary>The new key of the move, once this run created or adopted it (named by a release).</summary>
    public string? NewKeyId { get; init; }

    /// <summary>
    /// True when the last step retires the old key (the marker stays on it); false for a move an earlier version
    /// recorded, whose last step tags the new key active (<see cref="AliasState.RetiresAfterMove"/>).
    /// </summary>
    public bool RetiresAfterMove { get; init; } = true;

    /// <summary>The holding run's deadline: it writes nothing after it, and stops retrying denied steps before it.</summary>
    public DateTimeOffset? Deadline { get; init; }

    public string Holder => Rank == 0 ? Marker : MarkerNames.Takeover(Marker, Rank);
}

/// <summary>This run no longer holds its claim (taken over, or past its deadline): it stops before its next write.</summary>
internal sealed class FencedException : Exception
{
    public FencedException(string message, bool timedOut)
        : base(message) => TimedOut = timedOut;

    public FencedException()
    {
    }

    public FencedException(string message)
        : base(message)
    {
    }

    public FencedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public bool TimedOut { get; }
}
