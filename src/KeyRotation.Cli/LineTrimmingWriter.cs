using System.Text;

namespace KeyRotation.Cli;

/// <summary>
/// Redirected text output without the trailing spaces that table layout pads lines with, so scripts that read the
/// output (grep, awk, diff) see clean lines.
/// </summary>
internal sealed class LineTrimmingWriter : TextWriter
{
    private readonly TextWriter _inner;
    private readonly StringBuilder _line = new();

    public LineTrimmingWriter(TextWriter inner) => _inner = inner;

    public override Encoding Encoding => _inner.Encoding;

    public override void Write(char value)
    {
        if (value == '\n')
        {
            _inner.Write(_line.ToString().TrimEnd(' ', '\r'));
            _inner.Write('\n');
            _line.Clear();
        }
        else
        {
            _line.Append(value);
        }
    }

    public override void Flush()
    {
        // A partial line is kept until its newline, or until the writer is disposed.
        _inner.Flush();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _line.Length > 0)
        {
            _inner.Write(_line.ToString().TrimEnd());
            _line.Clear();
            _inner.Flush();
        }

        base.Dispose(disposing);
    }
}
