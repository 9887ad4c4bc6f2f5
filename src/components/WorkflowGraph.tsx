import dagre from '@dagrejs/dagre';
import {
  Background,
  Connection,
  Controls,
  Edge,
  Handle,
  MarkerType,
  Node,
  NodeProps,
  Position,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow
} from '@xyflow/react';
import * as React from 'react';

const GRAPH_CLASS = 'jp-autoflow-WorkflowGraph';
const NODE_CLASS = 'jp-autoflow-WorkflowGraph-node';
const NODE_LABEL_CLASS = 'jp-autoflow-WorkflowGraph-label';
const NODE_SUBLABEL_CLASS = 'jp-autoflow-WorkflowGraph-sublabel';
const NODE_STATUS_CLASS = 'jp-autoflow-WorkflowGraph-status';
const HANDLE_CLASS = 'jp-autoflow-WorkflowGraph-handle';
const EDGE_CLASS = 'jp-autoflow-WorkflowGraph-edge';

/**
 * Size of a step's box, in pixels, for the layout.
 */
export const NODE_WIDTH = 200;
export const NODE_HEIGHT = 60;

/**
 * One step of the graph.
 */
export interface IWorkflowGraphNode {
  /**
   * The step's key, unique in the graph.
   */
  key: string;
  label: string;
  /**
   * A second line: the notebook, say.
   */
  sublabel?: string;
  /**
   * A run or step status (`succeeded`, `failed`, `pending`…): colours the box.
   */
  status?: string;
}

/**
 * A dependency: `to` runs after `from`.
 */
export interface IWorkflowGraphEdge {
  from: string;
  to: string;
}

/**
 * Props of {@link WorkflowGraph}.
 */
export interface IWorkflowGraphProps {
  nodes: IWorkflowGraphNode[];
  edges: IWorkflowGraphEdge[];
  /**
   * Whether dependencies may be drawn from a step's right handle to
   * another's left one.
   */
  editable?: boolean;
  /**
   * A dependency was drawn: `to` should run after `from`.
   */
  onConnect?(from: string, to: string): void;
  /**
   * A step was clicked (or the background: `null`).
   */
  onSelect?(key: string | null): void;
  /**
   * The key of the step shown as selected.
   */
  selected?: string | null;
  /**
   * Keys of the steps to mark as at fault.
   */
  invalidKeys?: string[];
  /**
   * Accessible name of the graph (translated by the caller).
   */
  label?: string;
}

/**
 * A workflow's steps and dependencies as a left-to-right DAG, laid out by
 * dagre. Read-only unless `editable`; positions are always computed, never
 * dragged, so the same workflow always looks the same.
 */
export function WorkflowGraph(props: IWorkflowGraphProps): JSX.Element {
  const container = React.useRef<HTMLDivElement>(null);
  return (
    <div
      ref={container}
      className={GRAPH_CLASS}
      role="group"
      aria-label={props.label}
    >
      <ReactFlowProvider>
        <Flow {...props} container={container} />
      </ReactFlowProvider>
    </div>
  );
}

/**
 * The data each React Flow node carries.
 */
type StepData = {
  key: string;
  label: string;
  sublabel?: string;
  status?: string;
  invalid: boolean;
  editable: boolean;
};

type StepNode = Node<StepData, 'step'>;

function StepBox(props: NodeProps<StepNode>): JSX.Element {
  const { data, selected } = props;
  return (
    <div
      className={NODE_CLASS}
      data-key={data.key}
      data-status={data.status ?? ''}
      data-invalid={data.invalid ? 'true' : 'false'}
      data-selected={selected ? 'true' : 'false'}
      title={data.sublabel ? `${data.label}\n${data.sublabel}` : data.label}
    >
      <Handle
        type="target"
        position={Position.Left}
        className={HANDLE_CLASS}
        isConnectable={data.editable}
      />
      <div className={NODE_LABEL_CLASS}>{data.label}</div>
      {data.sublabel ? (
        <div className={NODE_SUBLABEL_CLASS}>{data.sublabel}</div>
      ) : null}
      {data.status ? (
        <div className={NODE_STATUS_CLASS}>{data.status}</div>
      ) : null}
      <Handle
        type="source"
        position={Position.Right}
        className={HANDLE_CLASS}
        isConnectable={data.editable}
      />
    </div>
  );
}

/**
 * Where each box's handles are, for edges drawn before measuring.
 */
const NODE_HANDLES = [
  {
    type: 'target' as const,
    position: Position.Left,
    x: -5,
    y: NODE_HEIGHT / 2 - 5,
    width: 10,
    height: 10
  },
  {
    type: 'source' as const,
    position: Position.Right,
    x: NODE_WIDTH - 5,
    y: NODE_HEIGHT / 2 - 5,
    width: 10,
    height: 10
  }
];

/**
 * Defined once: React Flow warns when the node types change between renders.
 */
const NODE_TYPES = { step: StepBox };

function Flow(
  props: IWorkflowGraphProps & {
    container: React.RefObject<HTMLDivElement>;
  }
): JSX.Element {
  const { nodes, edges, editable, onConnect, onSelect, selected } = props;
  const invalid = props.invalidKeys;
  const flow = useReactFlow();

  const positions = React.useMemo(
    () => layoutGraph(nodes, edges),
    [nodes, edges]
  );

  const flowNodes = React.useMemo<StepNode[]>(
    () =>
      nodes.map(node => ({
        id: node.key,
        type: 'step',
        position: positions.get(node.key) ?? { x: 0, y: 0 },
        selected: node.key === selected,
        draggable: false,
        connectable: !!editable,
        // Known sizes and handles: the graph shows (edges too) before, or
        // without, React Flow measuring the boxes in the page.
        width: NODE_WIDTH,
        height: NODE_HEIGHT,
        handles: NODE_HANDLES,
        ariaLabel: node.label,
        data: {
          ...node,
          invalid: invalid?.includes(node.key) ?? false,
          editable: !!editable
        }
      })),
    [nodes, positions, selected, invalid, editable]
  );

  const keys = React.useMemo(
    () => new Set(nodes.map(node => node.key)),
    [nodes]
  );

  const flowEdges = React.useMemo<Edge[]>(
    () =>
      edges
        .filter(edge => keys.has(edge.from) && keys.has(edge.to))
        .map(edge => ({
          id: `${edge.from}->${edge.to}`,
          source: edge.from,
          target: edge.to,
          className: EDGE_CLASS,
          markerEnd: { type: MarkerType.ArrowClosed },
          selectable: false
        })),
    [edges, keys]
  );

  // Fit the whole graph whenever its shape changes.
  const shape = React.useMemo(
    () =>
      JSON.stringify([
        nodes.map(node => node.key),
        edges.map(edge => [edge.from, edge.to])
      ]),
    [nodes, edges]
  );
  React.useEffect(() => {
    const frame = requestAnimationFrame(() => {
      void flow.fitView({ padding: 0.2, maxZoom: 1 });
    });
    return () => cancelAnimationFrame(frame);
  }, [shape, flow]);

  // And when the view is resized or shown again (a hidden tab has no size).
  React.useEffect(() => {
    const node = props.container.current;
    if (!node) {
      return;
    }
    let frame = 0;
    const observer = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        if (node.clientWidth > 0 && node.clientHeight > 0) {
          void flow.fitView({ padding: 0.2, maxZoom: 1 });
        }
      });
    });
    observer.observe(node);
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
    };
  }, [props.container, flow]);

  const handleConnect = React.useCallback(
    (connection: Connection) => {
      if (connection.source && connection.target) {
        onConnect?.(connection.source, connection.target);
      }
    },
    [onConnect]
  );

  return (
    <ReactFlow<StepNode, Edge>
      nodes={flowNodes}
      edges={flowEdges}
      nodeTypes={NODE_TYPES}
      nodesDraggable={false}
      nodesConnectable={!!editable}
      elementsSelectable={!!onSelect}
      edgesFocusable={false}
      deleteKeyCode={null}
      fitView
      fitViewOptions={{ padding: 0.2, maxZoom: 1 }}
      minZoom={0.2}
      maxZoom={2}
      onConnect={handleConnect}
      onNodeClick={(_, node) => onSelect?.(node.id)}
      onPaneClick={() => onSelect?.(null)}
      proOptions={{ hideAttribution: true }}
    >
      <Background gap={16} size={1} />
      <Controls showInteractive={false} />
    </ReactFlow>
  );
}

/**
 * Top-left positions of the nodes, laid out left to right by dagre. Edges
 * naming unknown nodes are left out.
 */
export function layoutGraph(
  nodes: IWorkflowGraphNode[],
  edges: IWorkflowGraphEdge[]
): Map<string, { x: number; y: number }> {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: 'LR', nodesep: 24, ranksep: 64 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) {
    graph.setNode(node.key, { width: NODE_WIDTH, height: NODE_HEIGHT });
  }
  for (const edge of edges) {
    if (graph.hasNode(edge.from) && graph.hasNode(edge.to)) {
      graph.setEdge(edge.from, edge.to);
    }
  }
  dagre.layout(graph);
  const positions = new Map<string, { x: number; y: number }>();
  for (const node of nodes) {
    const placed = graph.node(node.key) as { x: number; y: number };
    positions.set(node.key, {
      x: placed.x - NODE_WIDTH / 2,
      y: placed.y - NODE_HEIGHT / 2
    });
  }
  return positions;
}
