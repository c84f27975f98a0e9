using KeyRotation.Integrations.Consumers.S3;
using Microsoft.Extensions.Time.Testing;

namespace KeyRotation.Integrations.Tests.Consumers.S3;

public sealed class S3ObjectPacerTests
{
    [Fact]
    public async Task WaitAsync_MoreRequestsThanAPeriodsShare_WaitsForTheNextRefill()
    {
        var time = new FakeTimeProvider();
        using var pacer = new S3ObjectPacer(time, rate: 20);

        await pacer.WaitAsync(CancellationToken.None);
        await pacer.WaitAsync(CancellationToken.None);
        var third = pacer.WaitAsync(CancellationToken.None);
        Assert.False(third.IsCompleted);

        time.Advance(TimeSpan.FromMilliseconds(100));
        await third;
    }

}
