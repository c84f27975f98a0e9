using Amazon.KeyManagementService.Model;
using KeyRotation.IntegrationTests.Rotation;
using KeyRotation.Testing.Soak;

namespace KeyRotation.IntegrationTests.Soak;

/// <summary>
/// The soak can fail: its invariant checker, run on a world that was rotated cleanly and then broken by hand, names the
/// seed, the alias and what is wrong; on the clean world it finds nothing.
/// </summary>
[Collection(ProcessEnvironmentTests.Name)]
public sealed class SoakInvariantsTests : IAsyncLifetime, IAsyncDisposable
{
    private const int Seed = 42;
    private readonly SoakWorld _world = new(maxConcurrency: 2);
    private IDisposable? _credentials;
    private IReadOnlyList<SeededAlias> _aliases = [];
    private SoakInvariants _invariants = null!;
    private SoakRun _rotation = null!;

    public async Task InitializeAsync()
    {
        _credentials = SoakProcess.Credentials();
        _aliases = await SoakAliases.SeedAsync(_world.Client, new Random(Seed), 4, CancellationToken.None);
        _invariants = new SoakInvariants(_world.Client, Seed, _aliases);
        _rotation = await _world.InvokeAsync("clean", SoakWorld.ScheduledEvent);
    }

    Task IAsyncLifetime.DisposeAsync() => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await _world.DisposeAsync();
        _credentials?.Dispose();
    }

    [Fact]
    public async Task Check_CleanRotation_FindsNothing()
    {
        _invariants.CheckRun(_rotation, healing: true);
        await _invariants.CheckKmsAsync(healed: true, CancellationToken.None);

        Assert.Empty(_invariants.Violations);
        Assert.All(_rotation.Results!, r => Assert.Equal("Rotated", r.Outcome));
    }

    [Fact]
    public async Task CheckKms_OldKeyInTheChainDisabled_NamesSeedAliasAndKey()
    {
        var alias = Of(SoakStrategy.NewKey);
        await _world.Client.DisableKeyAsync(new DisableKeyRequest { KeyId = alias.FirstKeyId });

        await _invariants.CheckKmsAsync(healed: true, CancellationToken.None);

        Assert.Contains($"seed {Seed}, {alias.Alias}: key {alias.FirstKeyId} is Disabled; the rotation must leave every key enabled", _invariants.Violations);
        Assert.Contains(_invariants.Violations, v => v.StartsWith($"seed {Seed}, {alias.Alias}: data encrypted before the soak no longer decrypts", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CheckKms_KeyBehindTheAliasScheduledForDeletion_NamesTheAlias()
    {
        var alias = Of(SoakStrategy.Material);
        await _world.Client.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = alias.FirstKeyId, PendingWindowInDays = 7 });

        await _invariants.CheckKmsAsync(healed: true, CancellationToken.None);

        Assert.Contains(_invariants.Violations, v => v.StartsWith($"seed {Seed}, {alias.Alias}: points at {alias.FirstKeyId}, which is PendingDeletion", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CheckKms_MaterialRotatedTwiceInThePeriod_ReportsTwoMoves()
    {
        var alias = Of(SoakStrategy.Material);
        await _world.Client.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = alias.FirstKeyId });

        await _invariants.CheckKmsAsync(healed: true, CancellationToken.None);

        Assert.Contains($"seed {Seed}, {alias.Alias}: moved 2 times in one period (0 new key(s), 2 new material(s)); at most once", _invariants.Violations);
    }

    [Fact]
    public async Task CheckKms_SecondNewKeyMadeByHand_ReportsTwoMovesAndTheAliasOffItsGeneration()
    {
        var alias = Of(SoakStrategy.NewKey);
        var extra = await _world.Client.CreateKeyAsync(new CreateKeyRequest
        {
            Tags = [new Tag { TagKey = "keyrotation:alias", TagValue = alias.Alias }, new Tag { TagKey = "keyrotation:previous-key", TagValue = alias.FirstKeyId }],
        });
        await _world.Client.UpdateAliasAsync(new UpdateAliasRequest { AliasName = alias.Alias, TargetKeyId = extra.KeyMetadata.KeyId });

        await _invariants.CheckKmsAsync(healed: true, CancellationToken.None);

        Assert.Contains($"seed {Seed}, {alias.Alias}: moved 2 times in one period (2 new key(s), 0 new material(s)); at most once", _invariants.Violations);
    }

    [Fact]
    public async Task CheckKms_BeforeAnyRunButHealedExpected_ReportsEachAliasNotMoved()
    {
        await using var fresh = new SoakWorld(maxConcurrency: 2);
        var aliases = await SoakAliases.SeedAsync(fresh.Client, new Random(Seed), 4, CancellationToken.None);
        var invariants = new SoakInvariants(fresh.Client, Seed, aliases);

        await invariants.CheckKmsAsync(healed: true, CancellationToken.None);

        Assert.Equal(aliases.Select(a => $"seed {Seed}, {a.Alias}: not moved, even after the healing run").Order(), invariants.Violations.Order());
    }

    [Fact]
    public void CheckRun_AliasMissingAndFailedWithoutReason_NamesEach()
    {
        var results = _rotation.Results!.Skip(1).Select((r, i) => i == 0 ? r with { Outcome = "Failed", Reason = " " } : r).ToList();

        _invariants.CheckRun(_rotation with { Results = results });

        Assert.Equal(
            [$"seed {Seed}, {_aliases[0].Alias}: missing from the clean run's response", $"seed {Seed}, {results[0].Alias}: Failed without a reason in the clean run"],
            _invariants.Violations);
    }

    [Fact]
    public void CheckRun_StartedButNoResponse_IsAViolation()
    {
        _invariants.CheckRun(_rotation with { Answer = null, Results = null, Error = "TaskCanceledException: gone" });

        Assert.Equal([$"seed {Seed}, (clean run): the run started but left no response (TaskCanceledException: gone)"], _invariants.Violations);
    }

    [Fact]
    public async Task CheckNothingMoved_SecondRunThatRotates_IsAViolation()
    {
        _invariants.CheckNothingMoved(_rotation);

        Assert.Equal(_aliases.Count, _invariants.Violations.Count);
        Assert.All(_invariants.Violations, v => Assert.Contains("Rotated by the clean run, after the period's rotation was done", v, StringComparison.Ordinal));
        var again = await _world.InvokeAsync("second", SoakWorld.ScheduledEvent);
        Assert.All(again.Results!, r => Assert.Equal("Skipped", r.Outcome));
    }

    private SeededAlias Of(SoakStrategy strategy) => _aliases.First(a => a.Strategy == strategy);
}
