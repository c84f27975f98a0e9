using System.Runtime.CompilerServices;
using KeyRotation.Core.Consumers;

namespace KeyRotation.Core.Tests.Consumers;

/// <summary>An alias with three generations (one rolled back) and small sources and migrators that record what they were asked.</summary>
internal static class ConsumerTestData
{
    public const string Prefix = "arn:aws:kms:eu-west-1:111122223333:";

    public static ConsumerGeneration Current { get; } = new(3, "key-3", Prefix + "key/key-3", GenerationRole.Current);

    public static ConsumerGeneration Earlier { get; } = new(2, "key-2", Prefix + "key/key-2", GenerationRole.Earlier);

    /// <summary>A generation whose key no longer exists: no ARN.</summary>
    public static ConsumerGeneration Deleted { get; } = new(1, "key-1", null, GenerationRole.Earlier);

    public static ConsumerGeneration RolledBack { get; } = new(4, "key-4", Prefix + "key/key-4", GenerationRole.RolledBack);

    public static AliasGenerations Generations { get; } = new("alias/app-data", Prefix + "alias/app-data", Current, [Current, Earlier, Deleted, RolledBack]);

    public static ConsumerResource Table(string name, string? reference) => new("dynamodb", "table", $"arn:aws:dynamodb:eu-west-1:111122223333:table/{name}", reference);
}

/// <summary>A source that yields its findings, then optionally fails as a denied listing does.</summary>
internal sealed class ListedSource(string name, IReadOnlyList<ConsumerFinding> findings, Exception? failAfter = null) : IConsumerSource
{
    public string Name => name;

    public async IAsyncEnumerable<ConsumerFinding> ScanAsync([EnumeratorCancellation] CancellationToken ct)
    {
        foreach (var finding in findings)
        {
            await Task.Yield();
            yield return finding;
        }

        if (failAfter is not null)
        {
            throw failAfter;
        }
    }
}

/// <summary>A migrator of DynamoDB tables that answers from a script and records every call.</summary>
internal sealed class ScriptedMigrator(Func<ConsumerResource, bool, MigrationOutcome> answer) : IConsumerMigrator
{
    public List<(ConsumerResource Resource, MigrationTarget Target, bool DryRun)> Calls { get; } = [];

    public bool Handles(ConsumerResource resource) => resource.Service == "dynamodb";

    public Task<MigrationOutcome> MigrateAsync(ConsumerResource resource, MigrationTarget target, bool dryRun, CancellationToken ct)
    {
        Calls.Add((resource, target, dryRun));
        return Task.FromResult(answer(resource, dryRun));
    }
}
