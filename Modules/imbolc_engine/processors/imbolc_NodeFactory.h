#pragma once

namespace imbolc::engine
{

/** Makes a chain's nodes from the model. The engine asks it for every node it builds, so tests (and
    later plugin hosting) can supply their own.

    Message thread only: making nodes allocates.
*/
class NodeFactory
{
public:
    virtual ~NodeFactory() = default;

    /** The instrument's source. Its parameters are the source's, then the amp envelope's four
        (model::AmpParam order), which is how the engine addresses amp parameters. */
    virtual std::unique_ptr<NodeProcessor> createSource (const model::Instrument&);

    /** One processing stage of an instrument, bus or master chain; parameters in model order. */
    virtual std::unique_ptr<NodeProcessor> createStage (const model::Stage&);
};

} // namespace imbolc::engine
