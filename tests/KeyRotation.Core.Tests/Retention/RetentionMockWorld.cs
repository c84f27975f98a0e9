using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using KeyRotation.Core.Configuration;
using KeyRotation.Core.Retention;
using KeyRotation.Integrations.Composition;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace KeyRotation.Core.Tests.Retention;

/// <summary>
/// An alias rotated by the real engine on <see cref="KmsMock"/> into four generations 40 days apart (the original key,
/// then 2, 3 and the current 4), and the retention runner over the same mock. DisableKey and ScheduleKeyDeletion are
/// recorded and change the key's state, so tests assert that they were, or never were, called.
/// </summary>
internal sealed class RetentionMockWorld
{
    public const string Alias = "alias/orders";

    public RetentionMockWorld()
    {
        Kms = new KmsMock(Time);
        Kms.Mock.Setup(k => k.DisableKeyAsync(It.IsAny<DisableKeyRequest>(), It.IsAny<CancellationToken>()))
            .Returns((DisableKeyRequest r, CancellationToken _) => Change("DisableKey", r, r.KeyId, KeyState.Disabled, () => new DisableKeyResponse()));
        Kms.Mock.Setup(k => k.ScheduleKeyDeletionAsync(It.IsAny<ScheduleKeyDeletionRequest>(), It.IsAny<CancellationToken>()))
            .Returns((ScheduleKeyDeletionRequest r, CancellationToken _) => Change("ScheduleKeyDeletion", r, r.KeyId, KeyState.PendingDeletion, () => new ScheduleKeyDeletionResponse { KeyId = r.KeyId }));
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 6, 1, 3, 0, 0, TimeSpan.Zero));

    public KmsMock Kms { get; }

    /// <summary>Key ids, oldest (the original key) first.</summary>
    public List<string> Generations { get; } = [];

    public RetentionSettings Settings { get; set; } = new()
    {
        Aliases = [Alias],
        NotificationTopicArn = "arn:aws:sns:eu-west-1:111122223333:key-rotation",
        Mode = RetentionMode.DisableThenDelete,
        RetainGenerations = 1,
        DisableAfterDays = 30,
        DeleteAfterDays = 10,
    };

    public RecordingNotifier Notifier { get; } = new();

    /// <summary>KMS clients of replica Regions, when a test gives the world replicas.</summary>
    public KmsRegionClients? Regions { get; set; }

    public string Original => Generations[0];

    /// <summary>The oldest key this tool created: the one retention disables first (generation 2).</summary>
    public string Second => Generations[1];

    public static async Task<RetentionMockWorld> RotatedAsync()
    {
        var world = new RetentionMockWorld();
        world.Generations.Add(world.Kms.AddKey(Alias, age: TimeSpan.FromDays(100)).KeyId);
        for (var i = 0; i < 3; i++)
        {
            var engine = RotationComposition.Engine(world.Kms.Object, new RecordingNotifier(), new RotationOptions { MinKeyAge = TimeSpan.FromHours(1) }, world.Time, NullRotationLog.Instance, keyFinder: world.Kms.Finder);
            var report = await engine.RunAsync(new RotationRequest { RotationId = $"rot-{i}", Aliases = [Alias] }, CancellationToken.None);
            world.Generations.Add(Assert.Single(report.Results).NewKeyId!);
            world.Time.Advance(TimeSpan.FromDays(40));
        }

        world.Kms.Calls.Clear();
        return world;
    }

    public RetentionRunner Runner() => new(Kms.Object, null, Settings, Notifier, Time, NullRotationLog.Instance, Regions);

    public Task<RetentionReport> RunAsync(bool dryRun = false) => Runner().RunAsync("ret-test", [Alias], dryRun, CancellationToken.None);

    public static RetentionResult ResultFor(RetentionReport report, string keyId) => report.Results.Single(r => r.Step.KeyId == keyId);

    /// <summary>Every DisableKey and ScheduleKeyDeletion request, in order.</summary>
    public IEnumerable<string> StateChangesOf(string keyId) =>
        Kms.Calls.Where(c => c.Request is DisableKeyRequest d && d.KeyId == keyId || c.Request is ScheduleKeyDeletionRequest s && s.KeyId == keyId).Select(c => c.Operation);

    public IEnumerable<TagResourceRequest> TagsWrittenOn(string keyId) => Kms.Requests<TagResourceRequest>().Where(t => t.KeyId == keyId);

    private Task<T> Change<T>(string operation, object request, string keyId, KeyState state, Func<T> answer)
    {
        Kms.Calls.Add((operation, request));
        var key = Kms.Resolve(keyId);
        key.KeyState = state;
        key.Enabled = state == KeyState.Enabled;
        return Task.FromResult(answer());
    }
}
