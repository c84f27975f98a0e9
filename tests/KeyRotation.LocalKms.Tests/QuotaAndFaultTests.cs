using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.LocalKms.Tests;

public sealed class QuotaAndFaultTests
{
    [Fact]
    public async Task CreateKey_SixthCallInOneSecondWithRetryOff_ThrowsThrottling()
    {
        using var kms = new LocalKmsHarness(new LocalKmsOptions { EnforceQuotas = true });
        for (var i = 0; i < 5; i++)
        {
            await kms.CreateKeyAsync();
        }

        var ex = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.CreateKeyAsync());

        Assert.Equal("ThrottlingException", ex.ErrorCode);
        Assert.Equal("Rate exceeded", ex.Message);
        Assert.Equal(5, kms.Service.ListKeySnapshots().Count);
    }

    [Fact]
    public async Task CreateKey_QuotaRefilledAfterOneSecond_Succeeds()
    {
        using var kms = new LocalKmsHarness(new LocalKmsOptions { EnforceQuotas = true });
        for (var i = 0; i < 5; i++)
        {
            await kms.CreateKeyAsync();
        }

        kms.Time.Advance(TimeSpan.FromSeconds(1));
        await kms.CreateKeyAsync();

        Assert.Equal(6, kms.Service.ListKeySnapshots().Count);
    }

    [Fact]
    public async Task CreateKey_ThrottledWithSdkRetriesOn_RetryAbsorbsThrottle()
    {
        using var kms = new LocalKmsHarness(new LocalKmsOptions { EnforceQuotas = true, QuotaOverrides = new Dictionary<string, double> { ["CreateKey"] = 1 } }, maxErrorRetry: 3);
        kms.Service.OnThrottled = _ => kms.Time.Advance(TimeSpan.FromSeconds(1)); // time passes while the SDK backs off
        await kms.CreateKeyAsync();

        await kms.CreateKeyAsync();

        Assert.Equal(1, kms.Service.ThrottledCount("CreateKey"));
        Assert.Equal(2, kms.Service.ListKeySnapshots().Count);
    }

    [Fact]
    public async Task EnforceQuotas_TurnedOnAtRuntime_Throttles()
    {
        using var kms = new LocalKmsHarness();
        kms.Service.SetQuota("DescribeKey", 1);
        var key = await kms.CreateKeyAsync();
        kms.Service.EnforceQuotas = true;
        await kms.Client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId });

        var ex = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.Client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId }));

        Assert.Equal("ThrottlingException", ex.ErrorCode);
    }

    [Fact]
    public async Task FailNth_SecondCreateKey_FailsWithGivenErrorAndCreatesNothing()
    {
        using var kms = new LocalKmsHarness();
        kms.Service.Faults.FailNth("CreateKey", 2, "KMSInternalException", "boom", 500);
        await kms.CreateKeyAsync();

        var ex = await Assert.ThrowsAsync<KMSInternalException>(() => kms.CreateKeyAsync());

        Assert.Equal("boom", ex.Message);
        Assert.Single(kms.Service.ListKeySnapshots());
        Assert.Equal(2, kms.Service.Faults.CallCount("CreateKey"));
    }

    [Fact]
    public async Task FailNth_ThirdCall_OtherCallsSucceed()
    {
        using var kms = new LocalKmsHarness();
        kms.Service.Faults.FailNth("CreateKey", 1, "DependencyTimeoutException");
        await Assert.ThrowsAsync<DependencyTimeoutException>(() => kms.CreateKeyAsync());

        await kms.CreateKeyAsync();

        Assert.Single(kms.Service.ListKeySnapshots());
    }

    [Fact]
    public async Task FailEvery_UpdateAlias_AliasKeepsTarget()
    {
        using var kms = new LocalKmsHarness();
        var current = await kms.CreateKeyWithAliasAsync("alias/app");
        var next = await kms.CreateKeyAsync();
        kms.Service.Faults.FailEvery("UpdateAlias", "KMSInvalidStateException");

        await Assert.ThrowsAsync<KMSInvalidStateException>(() => kms.Client.UpdateAliasAsync(new UpdateAliasRequest { AliasName = "alias/app", TargetKeyId = next.KeyId }));

        Assert.Contains("alias/app", kms.Service.GetKeySnapshot(current.KeyId)!.Aliases);
    }

    [Fact]
    public async Task HangNth_CallerCancels_CallEndsWithCancellation()
    {
        using var kms = new LocalKmsHarness();
        kms.Service.Faults.HangNth("DescribeKey", 1);
        using var cts = new CancellationTokenSource();
        var call = kms.Client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/any" }, cts.Token);
        Assert.False(call.IsCompleted);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
    }

    [Fact]
    public async Task ThrowNth_CreateAlias_ExceptionPropagatesOutOfSdkCall()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        kms.Service.Faults.ThrowNth("CreateAlias", 1, new RunKilledException());

        await Assert.ThrowsAsync<RunKilledException>(() => kms.Client.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/app", TargetKeyId = key.KeyId }));

        Assert.Empty(kms.Service.GetKeySnapshot(key.KeyId)!.Aliases);
    }

    [Fact]
    public async Task ThrowAfterNth_CreateAlias_TakesEffectThenThrows()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        kms.Service.Faults.ThrowAfterNth("CreateAlias", 1, new RunKilledException());

        await Assert.ThrowsAsync<RunKilledException>(() => kms.Client.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/app", TargetKeyId = key.KeyId }));

        Assert.Equal(["alias/app"], kms.Service.GetKeySnapshot(key.KeyId)!.Aliases);
    }

    [Fact]
    public async Task ThrowAfterNth_CallAnsweredWithAnError_ThrowsInsteadOfTheError()
    {
        using var kms = new LocalKmsHarness();
        kms.Service.Faults.ThrowAfterNth("DescribeKey", 1, new RunKilledException());

        await Assert.ThrowsAsync<RunKilledException>(() => kms.Client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/missing" }));
    }

    [Fact]
    public async Task HandleAsync_LatencyConfigured_CompletesOnlyAfterClockAdvances()
    {
        using var kms = new LocalKmsHarness(new LocalKmsOptions { Latency = TimeSpan.FromMilliseconds(200) });
        var call = kms.Service.HandleAsync("TrentService.ListKeys", "{}", CancellationToken.None);
        var completedEarly = call.IsCompleted;

        kms.Time.Advance(TimeSpan.FromMilliseconds(200));
        var response = await call;

        Assert.False(completedEarly);
        Assert.Equal(200, response.StatusCode);
    }

    [Fact]
    public async Task HandleAsync_UnknownOperation_Answers400UnknownOperation()
    {
        var service = new LocalKmsService();

        var response = await service.HandleAsync("TrentService.Nope", "{}", CancellationToken.None);

        Assert.Equal(400, response.StatusCode);
        Assert.Equal("""{"__type":"UnknownOperationException","message":"Operation \u0027Nope\u0027 is not supported by LocalKms."}""", response.Body);
    }

    private sealed class RunKilledException : Exception
    {
        public RunKilledException()
            : base("killed at a chosen call")
        {
        }
    }
}
