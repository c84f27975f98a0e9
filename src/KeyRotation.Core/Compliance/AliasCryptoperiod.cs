namespace KeyRotation.Core.Compliance;

/// <summary>Where an alias stands against its cryptoperiod (docs/report.md defines each).</summary>
public enum CryptoperiodStanding
{
    /// <summary>Within its cryptoperiod, and the schedule's next run comes before it ends.</summary>
    Compliant,

    /// <summary>Still within its cryptoperiod, but it ends before the schedule's next run has rotated it.</summary>
    DueSoon,

    /// <summary>The current key material has been in use longer than the cryptoperiod.</summary>
    Overdue,
}

/// <summary>
/// One alias measured against its cryptoperiod: the age of the material its current key encrypts with (since the key's
/// creation or its latest material rotation, KMS's own dates), when the cryptoperiod ends, and when the schedule runs
/// next. Every scheduled run measures each configured alias (the AliasesOverdue and AliasesDueSoon metrics) and hands
/// the measurements on; the report shows the same.
/// </summary>
public sealed record AliasCryptoperiod
{
    /// <summary>
    /// How long before the scheduled run the cryptoperiod must not end: a run takes minutes, and a run at the very
    /// minute the cryptoperiod ends would leave the key overdue while it runs.
    /// </summary>
    public static readonly TimeSpan RunMargin = TimeSpan.FromHours(1);

    /// <summary>Without a next scheduled run (a one-time schedule already past, or a cron form not evaluated): due soon this long before the end.</summary>
    public static readonly TimeSpan DueSoonWithoutSchedule = TimeSpan.FromDays(30);

    public required string Alias { get; init; }

    /// <summary>The key the alias points at.</summary>
    public required string KeyId { get; init; }

    /// <summary>Its ARN, when the reading had it (the Alias Rotation Overdue event lists it in its resources).</summary>
    public string? KeyArn { get; init; }

    /// <summary>Since when the current key material is in use: the key's CreationDate, or its latest material rotation.</summary>
    public required DateTimeOffset MaterialSince { get; init; }

    /// <summary>When this was measured.</summary>
    public required DateTimeOffset MeasuredAt { get; init; }

    /// <summary>The cryptoperiod in days that applies to this alias.</summary>
    public required int CryptoperiodDays { get; init; }

    /// <summary>Where <see cref="CryptoperiodDays"/> comes from: MAX_KEY_AGE_DAYS or the alias's tag.</summary>
    public required string CryptoperiodSource { get; init; }

    /// <summary>The schedule's next run after <see cref="MeasuredAt"/>; null when none is known.</summary>
    public DateTimeOffset? NextScheduledRun { get; init; }

    public TimeSpan Age => MeasuredAt - MaterialSince;

    public TimeSpan Cryptoperiod => TimeSpan.FromDays(CryptoperiodDays);

    /// <summary>When the cryptoperiod of the current material ends: the alias must have rotated by then.</summary>
    public DateTimeOffset DueBy => MaterialSince + Cryptoperiod;

    public CryptoperiodStanding Standing =>
        MeasuredAt > DueBy ? CryptoperiodStanding.Overdue
        : NextScheduledRun is { } next ? (DueBy < next + RunMargin ? CryptoperiodStanding.DueSoon : CryptoperiodStanding.Compliant)
        : DueBy - MeasuredAt <= DueSoonWithoutSchedule ? CryptoperiodStanding.DueSoon : CryptoperiodStanding.Compliant;

    public bool IsOverdue => Standing == CryptoperiodStanding.Overdue;

    /// <summary>Measures one alias at <paramref name="now"/> on <paramref name="schedule"/>.</summary>
    public static AliasCryptoperiod Measure(string alias, string keyId, DateTimeOffset materialSince, int cryptoperiodDays, string source, RotationSchedule schedule, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return new AliasCryptoperiod
        {
            Alias = alias,
            KeyId = keyId,
            MaterialSince = materialSince,
            MeasuredAt = now,
            CryptoperiodDays = cryptoperiodDays,
            CryptoperiodSource = source,
            NextScheduledRun = schedule.NextRunAfter(now),
        };
    }
}

/// <summary>Every configured alias measured by one run; an alias that could not be measured is in <see cref="NotMeasured"/> with why.</summary>
public sealed record CryptoperiodMeasurements(IReadOnlyList<AliasCryptoperiod> Measured, IReadOnlyList<(string Alias, string Problem)> NotMeasured)
{
    public int Overdue => Measured.Count(m => m.Standing == CryptoperiodStanding.Overdue);

    public int DueSoon => Measured.Count(m => m.Standing == CryptoperiodStanding.DueSoon);

    public int Compliant => Measured.Count(m => m.Standing == CryptoperiodStanding.Compliant);
}
