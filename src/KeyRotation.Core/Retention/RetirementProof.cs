using System.Globalization;

namespace KeyRotation.Core.Retention;

/// <summary>GetKeyLastUsage's answer for one key, in the API reference's three cases, or a read that failed.</summary>
public enum KeyUseFinding
{
    /// <summary>The usage record is present: the key was used at <see cref="KeyUseEvidence.LastUsedAt"/>.</summary>
    Used,

    /// <summary>The record is empty and the key was created on or after tracking began: never used since its creation.</summary>
    NeverUsed,

    /// <summary>The record is empty but the key is older than tracking: unused since tracking began, unknown before.</summary>
    UnusedSinceTracking,

    /// <summary>GetKeyLastUsage failed: nothing is proven.</summary>
    Unreadable,
}

/// <summary>What GetKeyLastUsage showed about one key of a retirement step: the key itself, or one of its replicas.</summary>
public sealed record KeyUseEvidence
{
    public required string KeyId { get; init; }

    /// <summary>The replica's Region; null for the key itself (in the run's Region).</summary>
    public string? Region { get; init; }

    public required KeyUseFinding Finding { get; init; }

    /// <summary>One line for people: "used by Decrypt at 2026-11-30T10:04:00Z (CloudTrail event ...)".</summary>
    public required string Description { get; init; }

    /// <summary>How long non-use is proven, in whole days; null when not at all (a failed read).</summary>
    public int? ProvenUnusedDays { get; init; }

    /// <summary>For <see cref="KeyUseFinding.Used"/>: the last successful cryptographic operation, when, and its CloudTrail event.</summary>
    public string? Operation { get; init; }

    public DateTimeOffset? LastUsedAt { get; init; }

    public string? CloudTrailEventId { get; init; }

    /// <summary>"the key" or "its replica in eu-west-1", for sentences.</summary>
    public string Where => Region is null ? "the key" : $"its replica in {Region}";
}

/// <summary>What a retirement step may do after reading the last use of the key and of each of its replicas.</summary>
public enum RetirementVerdict
{
    /// <summary>Every key of the set is proven unused for at least RETIRE_UNUSED_FOR_DAYS: the step goes on.</summary>
    Proven,

    /// <summary>Some key of the set was used within the window (or is not proven unused that long): the key is kept.</summary>
    NotProven,

    /// <summary>Some read failed: the key is not touched, and the step fails with the reason.</summary>
    Unreadable,
}

/// <summary>
/// The proof of non-use a retirement step read just before its KMS call (docs/retention.md, "Proof of non-use"):
/// the verdict, the sentence that explains it, and what KMS answered for the key and each replica.
/// </summary>
public sealed record RetirementProof
{
    public required RetirementVerdict Verdict { get; init; }

    /// <summary>When it was read.</summary>
    public required DateTimeOffset ReadAt { get; init; }

    /// <summary>RETIRE_UNUSED_FOR_DAYS at the time.</summary>
    public required int WindowDays { get; init; }

    public required IReadOnlyList<KeyUseEvidence> Keys { get; init; }

    /// <summary>What the consumer inventory showed (RETIRE_CHECK_CONSUMERS); null when it was not run.</summary>
    public RetirementConsumers? Consumers { get; init; }

    public bool Proven => Verdict == RetirementVerdict.Proven;

    /// <summary>
    /// The proof with the consumer inventory's evidence added: a resource that references the key makes it not proven
    /// (kept, like a recent use), and a resource the inventory could not check makes it unreadable (not touched, like a
    /// failed GetKeyLastUsage read), whatever the last use says.
    /// </summary>
    public RetirementProof WithConsumers(RetirementConsumers consumers)
    {
        ArgumentNullException.ThrowIfNull(consumers);
        var verdict = Verdict == RetirementVerdict.Unreadable || consumers.NotChecked.Count > 0 ? RetirementVerdict.Unreadable
            : Verdict == RetirementVerdict.NotProven || consumers.Uses.Count > 0 ? RetirementVerdict.NotProven
            : RetirementVerdict.Proven;
        return this with { Verdict = verdict, Consumers = consumers };
    }

    /// <summary>One sentence: why the step goes on, or why it does not.</summary>
    public string Describe()
    {
        var window = string.Create(CultureInfo.InvariantCulture, $"RETIRE_UNUSED_FOR_DAYS is {WindowDays}");
        switch (Verdict)
        {
            case RetirementVerdict.Unreadable:
                var unread = Keys.FirstOrDefault(k => k.Finding == KeyUseFinding.Unreadable) is { } failed
                    ? $"the last use of {failed.Where} could not be read ({failed.Description})"
                    : Consumers!.Describe();
                return $"{unread}; retention never assumes a key is unused, so it was not touched";

            case RetirementVerdict.NotProven:
                var blocking = Keys.Where(k => (k.ProvenUnusedDays ?? -1) < WindowDays).ToList();
                var reasons = blocking.Select(k => k.Finding switch
                {
                    KeyUseFinding.Used => string.Create(CultureInfo.InvariantCulture, $"{Prefix(k)}{k.Description}, within the {WindowDays} day(s) of RETIRE_UNUSED_FOR_DAYS"),
                    KeyUseFinding.UnusedSinceTracking => string.Create(CultureInfo.InvariantCulture, $"{Prefix(k)}{k.Description}; tracking covers only {k.ProvenUnusedDays} day(s) and {window}"),
                    _ => string.Create(CultureInfo.InvariantCulture, $"{Prefix(k)}{k.Description}: {k.ProvenUnusedDays} day(s), and {window}"),
                });
                var pinned = Consumers is { Uses.Count: > 0 } consumers ? [consumers.Describe()] : Array.Empty<string>();
                return string.Join("; ", pinned.Concat(reasons)) + ": kept as it is";

            default:
                var days = Keys.Min(k => k.ProvenUnusedDays ?? 0);
                return string.Create(CultureInfo.InvariantCulture, $"proven unused for {days} day(s) ({window}): ") + string.Join("; ", Keys.Select(k => Prefix(k) + k.Description))
                    + (Consumers is { } clear ? "; " + clear.Describe() : string.Empty);
        }
    }

    /// <summary>The proof as the key's tag records it: short, and without characters a tag value cannot hold.</summary>
    public string TagText()
    {
        var entries = Keys.Select(k =>
        {
            var where = k.Region ?? "key";
            return k.Finding switch
            {
                KeyUseFinding.Used => $"{where} last {k.Operation} {FormatOrNone(k.LastUsedAt)} event {k.CloudTrailEventId ?? "none"}",
                KeyUseFinding.NeverUsed => $"{where} never used",
                KeyUseFinding.UnusedSinceTracking => $"{where} unused since tracking",
                _ => $"{where} unreadable",
            };
        });
        var days = Keys.Min(k => k.ProvenUnusedDays ?? 0);
        // The consumers come before the per-key entries, which a multi-Region set can make long enough to be cut at 256.
        var consumers = Consumers is { } checkedConsumers ? " - " + checkedConsumers.TagText() : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $"{RecordedTime.Format(ReadAt)} unused {days}d of {WindowDays}d{consumers}: ") + string.Join(" / ", entries);
    }

    private static string Prefix(KeyUseEvidence key) => key.Region is null ? string.Empty : $"replica in {key.Region}: ";

    private static string FormatOrNone(DateTimeOffset? time) => time is { } t ? RecordedTime.Format(t) : "unknown";
}
