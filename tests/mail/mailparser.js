// Parses the messages named on stdin (a JSON list of base64 strings) with npm's mailparser and
// prints what it read: subject, display names, ids and attachment file names, as JSON.
const { simpleParser } = require("mailparser");

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const raws = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  const out = [];
  for (const raw of raws) {
    const parsed = await simpleParser(Buffer.from(raw, "base64"));
    const names = (field) => (parsed[field] ? parsed[field].value.map((a) => a.name) : []);
    out.push({
      subject: parsed.subject ?? null,
      from: names("from"),
      to: names("to"),
      messageId: parsed.messageId ?? null,
      inReplyTo: parsed.inReplyTo ?? null,
      references: parsed.references ?? null,
      attachments: parsed.attachments.map((a) => a.filename ?? null),
    });
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error));
  process.exit(1);
});
