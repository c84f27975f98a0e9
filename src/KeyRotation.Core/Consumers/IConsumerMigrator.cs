namespace KeyRotation.Core.Consumers;

/// <summary>
/// Moves a resource of one service in place to <see cref="MigrationTarget"/>: the alias's current key, or the alias
/// itself where the service stores the alias and resolves it per request. Idempotent: a resource already on the
/// target is <see cref="MigrationResult.AlreadyCurrent"/>. A dry run changes nothing and answers <see cref="MigrationResult.WouldMove"/>.
/// </summary>
public interface IConsumerMigrator
{
    /// <summary>True for the resources (service and kind) this migrator moves.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1716", Justification = "C# only; the contract's name for it.")]
    bool Handles(ConsumerResource resource);

    Task<MigrationOutcome> MigrateAsync(ConsumerResource resource, MigrationTarget target, bool dryRun, CancellationToken ct);
}

/// <summary>Where a migration moves resources to: the alias (name and ARN) and the key it points at now.</summary>
public sealed record MigrationTarget(string AliasName, string AliasArn, string CurrentKeyArn);

/// <summary>What a migration did to one resource; <paramref name="Detail"/> is the reason, the new reference or the runbook.</summary>
public sealed record MigrationOutcome(MigrationResult Result, string Detail);

public enum MigrationResult
{
    /// <summary>Moved to the target and checked.</summary>
    Moved,

    /// <summary>Already on the target: skipped.</summary>
    AlreadyCurrent,

    /// <summary>Dry run: would be moved.</summary>
    WouldMove,

    /// <summary>Cannot be moved in place (EBS): <see cref="MigrationOutcome.Detail"/> holds the runbook steps.</summary>
    Manual,

    /// <summary>Failed; left as it was.</summary>
    Failed,
}
