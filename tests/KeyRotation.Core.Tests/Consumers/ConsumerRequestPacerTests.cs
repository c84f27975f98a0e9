using KeyRotation.Core.Consumers;
using Microsoft.Extensions.Time.Testing;

namespace KeyRotation.Core.Tests.Consumers;

public sealed class ConsumerRequestPacerTests
{
    [Fact]
    public async Task WaitAsync_BeyondTheRate_WaitsForTheNextRefillOnTheClock()
    {
        var time = new FakeTimeProvider();
        using var pacer = new ConsumerRequestPacer(new Dictionary<string, double>(StringComparer.Ordinal) { ["ssm:PutParameter"] = 2 }, time);

        await pacer.WaitAsync("ssm", "PutParameter", CancellationToken.None);
        var second = pacer.WaitAsync("ssm", "PutParameter", CancellationToken.None);
        time.Advance(TimeSpan.FromMilliseconds(499));
        var waitedBeforeRefill = !second.IsCompleted;
        time.Advance(TimeSpan.FromMilliseconds(1));
        await second;

        Assert.True(waitedBeforeRefill);
    }

    [Fact]
    public async Task WaitAsync_AnOperationWithoutARate_IsNotPaced()
    {
        using var pacer = new ConsumerRequestPacer(new Dictionary<string, double>(StringComparer.Ordinal) { ["ssm:PutParameter"] = 2 }, new FakeTimeProvider());

        for (var i = 0; i < 10; i++)
        {
            Assert.True(pacer.WaitAsync("ssm", "GetParameter", CancellationToken.None).IsCompletedSuccessfully);
        }
    }

    [Fact]
    public void Defaults_PaceEveryOperationAtMostAHundredPerSecond()
    {
        Assert.All(ConsumerRequestRates.Defaults, rate => Assert.InRange(rate.Value, 0.1, 100));
        Assert.All(ConsumerRequestRates.Defaults.Keys, key => Assert.Matches("^[a-z0-9]+:[A-Z][A-Za-z0-9]+$", key));
    }
}
