"""FlowAPI (FlowKit's REST API): a stand-in server that speaks its wire protocol, so that
tests, examples and newcomers can use the unmodified ``flowclient`` without a FlowKit stack."""
