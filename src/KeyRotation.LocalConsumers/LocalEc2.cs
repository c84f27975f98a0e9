using System.Security;
using System.Text;

namespace KeyRotation.LocalConsumers;

/// <summary>
/// EC2's EBS describe calls for the consumer inventory, in the EC2 Query protocol AWSSDK.EC2 speaks (a form body
/// Action=...&amp;Version=2016-11-15, an XML answer in the 2016-11-15 namespace), as the EC2 API reference documents
/// them: DescribeVolumes (Filter.N encrypted, VolumeId.N, MaxResults, NextToken; volumeSet items with kmsKeyId and
/// attachmentSet) and DescribeSnapshots (Owner.N self, Filter.N encrypted; snapshotSet items). Pages hold at most
/// <see cref="PageSize"/> items. Operations in <see cref="Denied"/> answer 403 UnauthorizedOperation, as EC2 does.
/// </summary>
internal sealed partial class LocalEc2 : LocalAwsEndpoint
{
    private const string Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/";
    private readonly Lock _gate = new();
    private readonly List<EbsVolume> _volumes = [];
    private readonly List<EbsSnapshot> _snapshots = [];

    public string Account { get; init; } = "111122223333";

    public int PageSize { get; set; } = 500;

    public HashSet<string> Denied { get; } = new(StringComparer.Ordinal);

    public void AddVolume(EbsVolume volume)
    {
        lock (_gate)
        {
            _volumes.Add(volume);
        }
    }

    public void AddSnapshot(EbsSnapshot snapshot)
    {
        lock (_gate)
        {
            _snapshots.Add(snapshot);
        }
    }

    protected override Task<EndpointAnswer> AnswerAsync(RecordedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var form = request.Form;
        if (Denied.Contains(request.Operation))
        {
            return Task.FromResult(new EndpointAnswer(403, "text/xml", $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation. User: arn:aws:iam::{Account}:user/operator is not authorized to perform: ec2:{request.Operation} because no identity-based policy allows the ec2:{request.Operation} action</Message></Error></Errors><RequestID>{Guid.NewGuid()}</RequestID></Response>"));
        }

        lock (_gate)
        {
            return Task.FromResult(request.Operation switch
            {
                "DescribeVolumes" => Page(form, "DescribeVolumesResponse", "volumeSet", Filtered(_volumes, form, v => v.VolumeId, v => v.KmsKeyId is not null, "VolumeId"), Item),
                "DescribeSnapshots" => Page(form, "DescribeSnapshotsResponse", "snapshotSet", Filtered(_snapshots, form, s => s.SnapshotId, s => s.KmsKeyId is not null, "SnapshotId"), Item),
                _ => new EndpointAnswer(400, "text/xml", $"<Response><Errors><Error><Code>InvalidAction</Code><Message>The double does not answer {SecurityElement.Escape(request.Operation)}.</Message></Error></Errors><RequestID>x</RequestID></Response>"),
            });
        }
    }

    private static List<T> Filtered<T>(IEnumerable<T> items, IReadOnlyDictionary<string, string> form, Func<T, string> id, Func<T, bool> encrypted, string idField)
    {
        var ids = form.Where(f => f.Key.StartsWith(idField + ".", StringComparison.Ordinal)).Select(f => f.Value).ToHashSet(StringComparer.Ordinal);
        var onlyEncrypted = form.Any(f => f.Key.EndsWith(".Name", StringComparison.Ordinal) && f.Value == "encrypted")
            && form.Any(f => f.Key.Contains(".Value.", StringComparison.Ordinal) && f.Value == "true");
        return [.. items.Where(i => (ids.Count == 0 || ids.Contains(id(i))) && (!onlyEncrypted || encrypted(i)))];
    }

    private EndpointAnswer Page<T>(IReadOnlyDictionary<string, string> form, string response, string set, List<T> items, Func<T, string> item)
    {
        var start = form.TryGetValue("NextToken", out var token) ? int.Parse(token, System.Globalization.CultureInfo.InvariantCulture) : 0;
        var size = Math.Min(form.TryGetValue("MaxResults", out var max) ? int.Parse(max, System.Globalization.CultureInfo.InvariantCulture) : 1000, PageSize);
        var xml = new StringBuilder($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><{response} xmlns=\"{Namespace}\"><requestId>{Guid.NewGuid()}</requestId><{set}>");
        foreach (var i in items.Skip(start).Take(size))
        {
            xml.Append(item(i));
        }

        xml.Append($"</{set}>");
        if (start + size < items.Count)
        {
            xml.Append($"<nextToken>{start + size}</nextToken>");
        }

        xml.Append($"</{response}>");
        return new EndpointAnswer(200, "text/xml;charset=UTF-8", xml.ToString());
    }

    private static string Item(EbsVolume v) =>
        $"<item><volumeId>{v.VolumeId}</volumeId><size>{v.Size}</size><availabilityZone>{v.AvailabilityZone}</availabilityZone><status>{(v.InstanceId is null ? "available" : "in-use")}</status>"
        + "<createTime>2026-01-01T00:00:00.000Z</createTime><attachmentSet>"
        + (v.InstanceId is null ? string.Empty : $"<item><volumeId>{v.VolumeId}</volumeId><instanceId>{v.InstanceId}</instanceId><device>{v.Device}</device><status>attached</status><attachTime>2026-01-01T00:00:00.000Z</attachTime><deleteOnTermination>true</deleteOnTermination></item>")
        + $"</attachmentSet><volumeType>{v.VolumeType}</volumeType><iops>3000</iops><throughput>125</throughput><encrypted>{(v.KmsKeyId is null ? "false" : "true")}</encrypted>"
        + (v.KmsKeyId is null ? string.Empty : $"<kmsKeyId>{v.KmsKeyId}</kmsKeyId>") + "<multiAttachEnabled>false</multiAttachEnabled></item>";

    private string Item(EbsSnapshot s) =>
        $"<item><snapshotId>{s.SnapshotId}</snapshotId><volumeId>{s.VolumeId}</volumeId><status>completed</status><startTime>2026-01-01T00:00:00.000Z</startTime><progress>100%</progress>"
        + $"<ownerId>{Account}</ownerId><volumeSize>8</volumeSize><description>backup</description><encrypted>{(s.KmsKeyId is null ? "false" : "true")}</encrypted>"
        + (s.KmsKeyId is null ? string.Empty : $"<kmsKeyId>{s.KmsKeyId}</kmsKeyId>") + "</item>";
}

/// <summary>An EBS volume: attached to <paramref name="InstanceId"/> at <paramref name="Device"/> when given; unencrypted when the key is null.</summary>
internal sealed record EbsVolume(string VolumeId, string? KmsKeyId, string AvailabilityZone = "us-east-1a", string VolumeType = "gp3", int Size = 8, string? InstanceId = null, string? Device = null);

/// <summary>An EBS snapshot the account owns.</summary>
internal sealed record EbsSnapshot(string SnapshotId, string? KmsKeyId, string VolumeId = "vol-0000000000000000a");
