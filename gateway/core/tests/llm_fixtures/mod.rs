//! Responses written by hand after the providers' API references: the
//! OpenAI chat completions, Responses and embeddings APIs (objects and
//! streaming events) and the Anthropic Messages API (messages and
//! streaming). Each comes with what the client must receive and the usage
//! the gateway must read, worked out from the documented formats.

use tokenctl_gateway::llm::{LlmUsage, ResponseKind};

pub struct Fixture {
    pub name: &'static str,
    pub kind: ResponseKind,
    /// Whether the gateway added `include_usage` (so it strips).
    pub strip: bool,
    /// What the upstream sends.
    pub upstream: String,
    /// What the client must receive.
    pub client: String,
    pub usage: Option<LlmUsage>,
}

pub fn usage(
    model: &str,
    input: u64,
    output: u64,
    cache_read: u64,
    cache_write: u64,
    reasoning: u64,
    complete: bool,
) -> Option<LlmUsage> {
    Some(LlmUsage {
        model: Some(model.to_string()),
        input_tokens: input,
        output_tokens: output,
        cache_read_tokens: cache_read,
        cache_write_tokens: cache_write,
        reasoning_tokens: reasoning,
        complete,
    })
}

fn crlf(s: &str) -> String {
    s.replace('\n', "\r\n")
}

// ---------------------------------------------------------------- JSON

/// Chat completion of a reasoning model with a cached prompt prefix
/// (`cached_tokens` is part of `prompt_tokens`, `reasoning_tokens` part of
/// `completion_tokens`).
pub const OPENAI_CHAT_JSON: &str = r#"{
  "id": "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
  "object": "chat.completion",
  "created": 1741569952,
  "model": "o3-mini-2025-01-31",
  "choices": [
    {
      "index": 0,
      "message": {
        "role": "assistant",
        "content": "The usage object reads {\"usage\": {\"prompt_tokens\": 1}} and \"model\": \"x\"\n",
        "refusal": null,
        "annotations": []
      },
      "logprobs": null,
      "finish_reason": "stop"
    }
  ],
  "usage": {
    "prompt_tokens": 2006,
    "completion_tokens": 300,
    "total_tokens": 2306,
    "prompt_tokens_details": {
      "cached_tokens": 1920,
      "audio_tokens": 0
    },
    "completion_tokens_details": {
      "reasoning_tokens": 192,
      "audio_tokens": 0,
      "accepted_prediction_tokens": 0,
      "rejected_prediction_tokens": 0
    }
  },
  "service_tier": "default",
  "system_fingerprint": "fp_50cad350e4"
}
"#;

pub const OPENAI_RESPONSES_JSON: &str = r#"{
  "id": "resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b",
  "object": "response",
  "created_at": 1741476542,
  "status": "completed",
  "error": null,
  "incomplete_details": null,
  "instructions": null,
  "max_output_tokens": null,
  "model": "gpt-4.1-2025-04-14",
  "output": [
    {
      "type": "message",
      "id": "msg_67ccd2bf17f0819081ff3bb2cf6508e60bb6a6b452d3795b",
      "status": "completed",
      "role": "assistant",
      "content": [
        {
          "type": "output_text",
          "text": "In a peaceful grove beneath a silver moon, a unicorn named Lumina discovered a hidden pool that reflected the stars.",
          "annotations": []
        }
      ]
    }
  ],
  "parallel_tool_calls": true,
  "previous_response_id": null,
  "reasoning": {"effort": null, "summary": null},
  "store": true,
  "temperature": 1.0,
  "text": {"format": {"type": "text"}},
  "tool_choice": "auto",
  "tools": [],
  "top_p": 1.0,
  "truncation": "disabled",
  "usage": {
    "input_tokens": 36,
    "input_tokens_details": {"cached_tokens": 0},
    "output_tokens": 87,
    "output_tokens_details": {"reasoning_tokens": 0},
    "total_tokens": 123
  },
  "user": null,
  "metadata": {}
}"#;

pub const OPENAI_EMBEDDINGS_JSON: &str = r#"{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.0023064255,-0.009327292,-0.0028842222]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}"#;

pub const OPENAI_ERROR_JSON: &str = r#"{
    "error": {
        "message": "Incorrect API key provided: sk-abc. You can find your API key at https://platform.openai.com/account/api-keys.",
        "type": "invalid_request_error",
        "param": null,
        "code": "invalid_api_key"
    }
}
"#;

/// A message whose prompt was written to the cache: Anthropic's
/// `input_tokens` excludes cache reads and writes, so the whole input is
/// 21 + 188086 + 0.
pub const ANTHROPIC_MESSAGE_JSON: &str = r#"{"id":"msg_013Zva2CMHLNnXjNJJKqJ2EF","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"The novel explores themes of pride and prejudice."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":21,"cache_creation_input_tokens":188086,"cache_read_input_tokens":0,"output_tokens":393}}"#;

pub const ANTHROPIC_ERROR_JSON: &str = r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}"#;

// ------------------------------------------------- OpenAI chat streams

/// A chat completion stream as a client that did not ask for usage gets it.
pub const OPENAI_STREAM: &str = concat!(
    r#"data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}"#,
    "\n\n",
    r#"data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}]}"#,
    "\n\n",
    r#"data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{"content":"!"},"logprobs":null,"finish_reason":null}]}"#,
    "\n\n",
    r#"data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}"#,
    "\n\n",
    "data: [DONE]\n\n",
);

/// The same stream with `stream_options.include_usage`: every chunk has
/// `"usage":null`, and one more chunk with empty `choices` carries the
/// usage before `[DONE]`.
pub const OPENAI_STREAM_WITH_USAGE: &str = concat!(
    r#"data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],"usage":null}"#,
    "\n\n",
    r#"data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}],"usage":null}"#,
    "\n\n",
    r#"data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{"content":"!"},"logprobs":null,"finish_reason":null}],"usage":null}"#,
    "\n\n",
    r#"data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}"#,
    "\n\n",
    r#"data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_44709d6fcb","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}"#,
    "\n\n",
    "data: [DONE]\n\n",
);

/// An OpenAI-compatible upstream with CRLF line ends, keep-alive comments
/// (as OpenRouter sends while it waits), `id` and `retry` fields, and a
/// usage chunk with a comment of its own, as the client gets it without
/// usage...
pub const COMPAT_STREAM_CRLF: &str = concat!(
    ": OPENROUTER PROCESSING\r\n\r\n",
    "retry: 3000\r\n",
    r#"data: {"id":"gen-1","object":"chat.completion.chunk","created":1741569952,"model":"mistralai/mistral-small","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}"#,
    "\r\n\r\n",
    ": OPENROUTER PROCESSING\r\n\r\n",
    "id: 2\r\n",
    r#"data: {"id":"gen-1","object":"chat.completion.chunk","created":1741569952,"model":"mistralai/mistral-small","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
    "\r\n\r\n",
    "data: [DONE]\r\n\r\n",
);

/// ...and as the upstream sends it with `include_usage`.
pub const COMPAT_STREAM_CRLF_WITH_USAGE: &str = concat!(
    ": OPENROUTER PROCESSING\r\n\r\n",
    "retry: 3000\r\n",
    r#"data: {"id":"gen-1","object":"chat.completion.chunk","created":1741569952,"model":"mistralai/mistral-small","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}],"usage":null}"#,
    "\r\n\r\n",
    ": OPENROUTER PROCESSING\r\n\r\n",
    "id: 2\r\n",
    r#"data: {"id":"gen-1","object":"chat.completion.chunk","created":1741569952,"model":"mistralai/mistral-small","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}"#,
    "\r\n\r\n",
    ": usage follows\r\n",
    r#"data: {"id":"gen-1","object":"chat.completion.chunk","created":1741569952,"model":"mistralai/mistral-small","choices":[],"usage":{"prompt_tokens":14,"completion_tokens":2,"total_tokens":16,"prompt_tokens_details":{"cached_tokens":6}}}"#,
    "\r\n\r\n",
    "data: [DONE]\r\n\r\n",
);

/// Azure OpenAI's stream opens with a chunk of content-filter results and
/// empty `choices`; with usage asked for it carries `"usage":null`, so it
/// is not the usage chunk. Without usage:
pub const AZURE_STREAM: &str = concat!(
    r#"data: {"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{"hate":{"filtered":false,"severity":"safe"}}}]}"#,
    "\n\n",
    r#"data: {"choices":[{"content_filter_results":{},"delta":{"content":"Hi","role":"assistant"},"finish_reason":null,"index":0}],"created":1741569952,"id":"chatcmpl-A1","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_b705f0c291"}"#,
    "\n\n",
    r#"data: {"choices":[{"content_filter_results":{},"delta":{},"finish_reason":"stop","index":0}],"created":1741569952,"id":"chatcmpl-A1","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_b705f0c291"}"#,
    "\n\n",
    "data: [DONE]\n\n",
);

/// With usage (members in Azure's alphabetical order, `usage` last).
pub const AZURE_STREAM_WITH_USAGE: &str = concat!(
    r#"data: {"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{"hate":{"filtered":false,"severity":"safe"}}}],"usage":null}"#,
    "\n\n",
    r#"data: {"choices":[{"content_filter_results":{},"delta":{"content":"Hi","role":"assistant"},"finish_reason":null,"index":0}],"created":1741569952,"id":"chatcmpl-A1","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_b705f0c291","usage":null}"#,
    "\n\n",
    r#"data: {"choices":[{"content_filter_results":{},"delta":{},"finish_reason":"stop","index":0}],"created":1741569952,"id":"chatcmpl-A1","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_b705f0c291","usage":null}"#,
    "\n\n",
    r#"data: {"choices":[],"created":1741569952,"id":"chatcmpl-A1","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_b705f0c291","usage":{"completion_tokens":1,"completion_tokens_details":{"reasoning_tokens":0},"prompt_tokens":18,"prompt_tokens_details":{"cached_tokens":0},"total_tokens":19}}"#,
    "\n\n",
    "data: [DONE]\n\n",
);

/// The SSE spec lets one event's data span several `data:` lines (joined
/// with LF), and a field without a space after its colon. No OpenAI
/// upstream writes it so, but a client would read it, and so must we.
pub const MULTILINE_STREAM: &str = concat!(
    "data:{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"llama-3.1-8b\",\n",
    "data: \"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n",
    "\n",
    "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"llama-3.1-8b\",\"choices\":[],\n",
    "data: \"usage\":{\"prompt_tokens\":\n",
    "data: 5,\"completion_tokens\":1}}\n",
    "\n",
    "data: [DONE]\n",
    "\n",
);

// ------------------------------------------------ OpenAI Responses API

pub const OPENAI_RESPONSES_STREAM: &str = concat!(
    "event: response.created\n",
    r#"data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_67c9fdcecf488190bdd9a0409de3a1ec07b8b0ad4e5eb654","object":"response","created_at":1741290958,"status":"in_progress","error":null,"incomplete_details":null,"instructions":"You are a helpful assistant.","max_output_tokens":null,"model":"gpt-4.1-2025-04-14","output":[],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":null,"summary":null},"store":true,"temperature":1.0,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1.0,"truncation":"disabled","usage":null,"user":null,"metadata":{}}}"#,
    "\n\n",
    "event: response.in_progress\n",
    r#"data: {"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_67c9fdcecf488190bdd9a0409de3a1ec07b8b0ad4e5eb654","object":"response","created_at":1741290958,"status":"in_progress","error":null,"incomplete_details":null,"instructions":"You are a helpful assistant.","max_output_tokens":null,"model":"gpt-4.1-2025-04-14","output":[],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":null,"summary":null},"store":true,"temperature":1.0,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1.0,"truncation":"disabled","usage":null,"user":null,"metadata":{}}}"#,
    "\n\n",
    "event: response.output_item.added\n",
    r#"data: {"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"msg_67c9fdcf37fc8190ba82116e33fb28c507b8b0ad4e5eb654","type":"message","status":"in_progress","role":"assistant","content":[]}}"#,
    "\n\n",
    "event: response.content_part.added\n",
    r#"data: {"type":"response.content_part.added","sequence_number":3,"item_id":"msg_67c9fdcf37fc8190ba82116e33fb28c507b8b0ad4e5eb654","output_index":0,"content_index":0,"part":{"type":"output_text","text":"","annotations":[]}}"#,
    "\n\n",
    "event: response.output_text.delta\n",
    r#"data: {"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_67c9fdcf37fc8190ba82116e33fb28c507b8b0ad4e5eb654","output_index":0,"content_index":0,"delta":"Hi"}"#,
    "\n\n",
    "event: response.output_text.done\n",
    r#"data: {"type":"response.output_text.done","sequence_number":5,"item_id":"msg_67c9fdcf37fc8190ba82116e33fb28c507b8b0ad4e5eb654","output_index":0,"content_index":0,"text":"Hi there! How can I assist you today?"}"#,
    "\n\n",
    "event: response.completed\n",
    r#"data: {"type":"response.completed","sequence_number":6,"response":{"id":"resp_67c9fdcecf488190bdd9a0409de3a1ec07b8b0ad4e5eb654","object":"response","created_at":1741290958,"status":"completed","error":null,"incomplete_details":null,"instructions":"You are a helpful assistant.","max_output_tokens":null,"model":"gpt-4.1-2025-04-14","output":[{"id":"msg_67c9fdcf37fc8190ba82116e33fb28c507b8b0ad4e5eb654","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hi there! How can I assist you today?","annotations":[]}]}],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":null,"summary":null},"store":true,"temperature":1.0,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1.0,"truncation":"disabled","usage":{"input_tokens":37,"input_tokens_details":{"cached_tokens":0},"output_tokens":11,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":48},"user":null,"metadata":{}}}"#,
    "\n\n",
);

// -------------------------------------------------- Anthropic streams

pub const ANTHROPIC_STREAM: &str = r#"event: message_start
data: {"type": "message_start", "message": {"id": "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", "type": "message", "role": "assistant", "content": [], "model": "claude-sonnet-4-5-20250929", "stop_reason": null, "stop_sequence": null, "usage": {"input_tokens": 25, "output_tokens": 1}}}

event: content_block_start
data: {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}

event: ping
data: {"type": "ping"}

event: content_block_delta
data: {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hello"}}

event: content_block_delta
data: {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "!"}}

event: content_block_stop
data: {"type": "content_block_stop", "index": 0}

event: message_delta
data: {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence":null}, "usage": {"output_tokens": 15}}

event: message_stop
data: {"type": "message_stop"}

"#;

/// Tool use with a cached prompt: the tool input arrives as partial JSON
/// strings (which mention `usage`), and `message_delta` repeats the input
/// counts with the final output count.
pub const ANTHROPIC_TOOL_STREAM: &str = r#"event: message_start
data: {"type":"message_start","message":{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","stop_sequence":null,"usage":{"input_tokens":472,"cache_creation_input_tokens":0,"cache_read_input_tokens":1800,"output_tokens":2},"content":[],"stop_reason":null}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"record_usage","input":{}}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"usage\": {\"input_tokens\""}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":": 99999}, \"model\": \"fake\"}"}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"input_tokens":472,"cache_creation_input_tokens":0,"cache_read_input_tokens":1800,"output_tokens":89}}

event: message_stop
data: {"type":"message_stop"}

"#;

/// A stream cut off after some content, and one that ends in an error
/// event: only `message_start`'s counts are known.
pub const ANTHROPIC_CUT_STREAM: &str = r#"event: message_start
data: {"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant", "content": [], "model": "claude-haiku-4-5", "stop_reason": null, "stop_sequence": null, "usage": {"input_tokens": 12, "output_tokens": 1}}}

event: content_block_start
data: {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}

event: error
data: {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}

event: content_block_delta
data: {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hel"#;

pub fn all() -> Vec<Fixture> {
    use ResponseKind::{EventStream, Json};
    let same = |name, kind, body: &str, usage| Fixture {
        name,
        kind,
        strip: false,
        upstream: body.to_string(),
        client: body.to_string(),
        usage,
    };
    let chat_usage = usage("gpt-4o-mini-2024-07-18", 9, 3, 0, 0, 0, true);
    let compat_usage = usage("mistralai/mistral-small", 14, 2, 6, 0, 0, true);
    let azure_usage = usage("gpt-4o-2024-11-20", 18, 1, 0, 0, 0, true);
    vec![
        same(
            "openai chat json",
            Json,
            OPENAI_CHAT_JSON,
            usage("o3-mini-2025-01-31", 2006, 300, 1920, 0, 192, true),
        ),
        same(
            "openai responses json",
            Json,
            OPENAI_RESPONSES_JSON,
            usage("gpt-4.1-2025-04-14", 36, 87, 0, 0, 0, true),
        ),
        same(
            "openai embeddings json",
            Json,
            OPENAI_EMBEDDINGS_JSON,
            usage("text-embedding-3-small", 8, 0, 0, 0, 0, true),
        ),
        same("openai error json", Json, OPENAI_ERROR_JSON, None),
        same(
            "anthropic message json",
            Json,
            ANTHROPIC_MESSAGE_JSON,
            usage("claude-sonnet-4-5-20250929", 188_107, 393, 0, 188_086, 0, true),
        ),
        same("anthropic error json", Json, ANTHROPIC_ERROR_JSON, None),
        same(
            "openai stream, client asked for usage",
            EventStream,
            OPENAI_STREAM_WITH_USAGE,
            chat_usage.clone(),
        ),
        Fixture {
            name: "openai stream, gateway asked for usage",
            kind: EventStream,
            strip: true,
            upstream: OPENAI_STREAM_WITH_USAGE.to_string(),
            client: OPENAI_STREAM.to_string(),
            usage: chat_usage.clone(),
        },
        Fixture {
            name: "openai stream, gateway asked for usage, CRLF",
            kind: EventStream,
            strip: true,
            upstream: crlf(OPENAI_STREAM_WITH_USAGE),
            client: crlf(OPENAI_STREAM),
            usage: chat_usage,
        },
        same(
            "openai stream without usage",
            EventStream,
            OPENAI_STREAM,
            None,
        ),
        same(
            "compatible stream, client asked for usage, CRLF and comments",
            EventStream,
            COMPAT_STREAM_CRLF_WITH_USAGE,
            compat_usage.clone(),
        ),
        Fixture {
            name: "compatible stream, gateway asked for usage, CRLF and comments",
            kind: EventStream,
            strip: true,
            upstream: COMPAT_STREAM_CRLF_WITH_USAGE.to_string(),
            client: COMPAT_STREAM_CRLF.to_string(),
            usage: compat_usage,
        },
        Fixture {
            name: "azure stream, gateway asked for usage",
            kind: EventStream,
            strip: true,
            upstream: AZURE_STREAM_WITH_USAGE.to_string(),
            client: AZURE_STREAM.to_string(),
            usage: azure_usage,
        },
        same(
            "multi-line data",
            EventStream,
            MULTILINE_STREAM,
            usage("llama-3.1-8b", 5, 1, 0, 0, 0, true),
        ),
        Fixture {
            name: "multi-line data, gateway asked for usage",
            kind: EventStream,
            strip: true,
            upstream: MULTILINE_STREAM.to_string(),
            // The usage chunk goes, however many lines it has.
            client: concat!(
                "data:{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"llama-3.1-8b\",\n",
                "data: \"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n",
                "\n",
                "data: [DONE]\n",
                "\n",
            )
            .to_string(),
            usage: usage("llama-3.1-8b", 5, 1, 0, 0, 0, true),
        },
        same(
            "openai responses stream",
            EventStream,
            OPENAI_RESPONSES_STREAM,
            usage("gpt-4.1-2025-04-14", 37, 11, 0, 0, 0, true),
        ),
        same(
            "anthropic stream",
            EventStream,
            ANTHROPIC_STREAM,
            usage("claude-sonnet-4-5-20250929", 25, 15, 0, 0, 0, true),
        ),
        same(
            "anthropic stream, CRLF",
            EventStream,
            &crlf(ANTHROPIC_STREAM),
            usage("claude-sonnet-4-5-20250929", 25, 15, 0, 0, 0, true),
        ),
        same(
            "anthropic stream, lone CR",
            EventStream,
            &ANTHROPIC_STREAM.replace('\n', "\r"),
            usage("claude-sonnet-4-5-20250929", 25, 15, 0, 0, 0, true),
        ),
        same(
            "anthropic tool stream with cache",
            EventStream,
            ANTHROPIC_TOOL_STREAM,
            usage("claude-sonnet-4-5-20250929", 2272, 89, 1800, 0, 0, true),
        ),
        same(
            "anthropic stream cut off",
            EventStream,
            ANTHROPIC_CUT_STREAM,
            usage("claude-haiku-4-5", 12, 1, 0, 0, 0, false),
        ),
        same(
            "anthropic stream with a BOM",
            EventStream,
            &format!("\u{FEFF}{ANTHROPIC_STREAM}"),
            usage("claude-sonnet-4-5-20250929", 25, 15, 0, 0, 0, true),
        ),
    ]
}
