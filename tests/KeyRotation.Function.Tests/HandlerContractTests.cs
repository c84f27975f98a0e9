using KeyRotation.Core.Configuration;
using System.Reflection;
using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace KeyRotation.Function.Tests;

/// <summary>The handler string resolved the way the managed .NET runtime resolves it: Assembly::Type::Method.</summary>
public sealed class HandlerContractTests
{
    public const string HandlerString = "KeyRotation.Function::KeyRotation.Function.Handler::HandleAsync";

    [Fact]
    public void HandlerString_ResolvesToPublicTypeWithParameterlessConstructorAndStreamMethod()
    {
        var method = Resolve(HandlerString, out var type);

        Assert.True(type.IsPublic);
        Assert.NotNull(type.GetConstructor(Type.EmptyTypes));
        Assert.Equal([typeof(Stream)], method.GetParameters().Select(p => p.ParameterType));
        Assert.Equal(typeof(Task<Stream>), method.ReturnType);
    }

    [Theory]
    [InlineData("scheduled-event.json")]
    [InlineData("scheduler.json")]
    [InlineData("manual-all.json")]
    [InlineData("manual-dry-run.json")]
    [InlineData("manual-force.json")]
    public async Task HandlerString_InvokedWithSampleEvent_ReturnsAResponse(string sample)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 3, 0, 0, TimeSpan.Zero));
        var kms = new KmsMock(time);
        kms.AddKey("alias/app-data");
        var environment = new Dictionary<string, string>
        {
            [SettingNames.RotationAliases] = "alias/app-data",
            [SettingNames.NotificationTopicArn] = "arn:aws:sns:eu-west-1:111122223333:key-rotation",
        };
        var method = Resolve(HandlerString, out _);
        var handler = new Handler(environment, kms.Object, new DiscardingNotifier(), time, TextWriter.Null);

        await using var input = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "events", sample));
        var task = (Task<Stream>)method.Invoke(handler, [input])!;
        using var reader = new StreamReader(await task, Encoding.UTF8);

        Assert.Contains("\"alias\":\"alias/app-data\"", await reader.ReadToEndAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandlerString_InvokedWithTheSqsSampleEvent_RotatesItsAliasUnderItsRotationIdAndAnswersNoBatchItemFailures()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 3, 20, 0, TimeSpan.Zero));
        var kms = new KmsMock(time);
        var before = kms.AddKey("alias/app-data").KeyId;
        var environment = new Dictionary<string, string>
        {
            [SettingNames.RotationAliases] = "alias/app-data",
            [SettingNames.NotificationTopicArn] = "arn:aws:sns:eu-west-1:111122223333:key-rotation",
        };
        var method = Resolve(HandlerString, out _);
        var handler = new Handler(environment, kms.Object, new DiscardingNotifier(), time, TextWriter.Null, keyFinder: kms.Finder);

        await using var input = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "events", "continuation-sqs.json"));
        var task = (Task<Stream>)method.Invoke(handler, [input])!;
        using var reader = new StreamReader(await task, Encoding.UTF8);

        Assert.Equal("""{"batchItemFailures":[]}""", await reader.ReadToEndAsync());
        var now = kms.KeyOf("alias/app-data").KeyId;
        Assert.NotEqual(before, now);
        Assert.Equal("rot-20261201T030000Z-1a2b3c4d", kms.Tags[now]["keyrotation:rotation-id"]);
        Assert.Equal("2026-12-01T03:00Z", kms.Tags[now]["keyrotation:schedule-slot"]);
    }

    /// <summary>As the runtime does: load the assembly by name, get the type by full name, find the method by name.</summary>
    internal static MethodInfo Resolve(string handler, out Type type)
    {
        var parts = handler.Split("::");
        Assert.Equal(3, parts.Length);
        var assembly = Assembly.Load(new AssemblyName(parts[0]));
        type = assembly.GetType(parts[1], throwOnError: true)!;
        return Assert.Single(type.GetMethods(BindingFlags.Public | BindingFlags.Instance), m => m.Name == parts[2]);
    }

    private sealed class DiscardingNotifier : KeyRotation.Core.IRotationNotifier
    {
        public Task NotifyAsync(KeyRotation.Core.RotationNotice notice, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
