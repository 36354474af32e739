/**
 * The fields of ThoughtSpot's TML documents, their types and enum values, as ThoughtSpot defines
 * them in its `edoc.proto`. Read from the Python module generated from it that ThoughtSpot publishes
 * in thoughtspot/thoughtspot_tml: `src/thoughtspot_tml/_scriptability.py` at commit
 * 14f40f1db9668c7fd8c81804de81022ac65943c1 (the version that added cohorts' `config` and `worksheet`).
 * Facts only, written down here in our own compact notation (see README.md beside this file);
 * `scripts/tml-schema.mts` turns a copy of that file into this notation, so a newer version can be
 * compared with this one.
 *
 * Notation: `field:type` separated by blanks; a type is `s` (string), `i` (int32/int64), `d`
 * (double/float), `b` (bool), or the name of an enum or message below; `[]` after it is a repeated
 * field (a YAML list), `{}` a map field (ThoughtSpot writes a list of `key:`/`value:` entries).
 * Python renames the field `with` to `with_`; here it has its TML name.
 */
export const EDOC_COMMIT = '14f40f1db9668c7fd8c81804de81022ac65943c1';

export const ENUMS: Readonly<Record<string, string>> = {
  Comparator: 'COMPARATOR_UNSPECIFIED COMPARATOR_LT COMPARATOR_GT COMPARATOR_LEQ COMPARATOR_GEQ COMPARATOR_EQ COMPARATOR_NEQ',
  PercentageChangeComparator: 'PERCENTAGE_CHANGE_COMPARATOR_UNSPECIFIED PERCENTAGE_CHANGE_COMPARATOR_INCREASES_BY PERCENTAGE_CHANGE_COMPARATOR_DECREASES_BY PERCENTAGE_CHANGE_COMPARATOR_CHANGES_BY',
  AlertType: 'Scheduled Threshold Anomaly',
  QueryTriggerE:
    'UNKNOWN ANSWER_EDIT ANSWER_VIEW LIVEBOARD_EDIT LIVEBOARD_VIEW UNDERLYING_DATA DOWNLOAD EXPLORE DRILL_DOWN DATA_WORKSPACE_QUERY SEARCH_DATA SPOTIQ_AUTO_ANALYZE KPI_MONITOR GET_FILTER_VALUES TS_SYNC MOBILE APIS CDW_CONNECTION DATA_WORKSPACE_SAMPLE SQL_EDITOR DBT SAGE_INDEXING SPOT_APPS ROW_COUNT_STATS SAGE_SAMPLING SCHEDULED_PINBOARDS REPORTBOOK CAFFEINE CORTEX SEED_QUESTIONS CUSTOM_CALENDAR',
  ChartVizProtoChartSpecificColumnType: 'UNDEFINED MEASURE_NAMES MEASURE_VALUES',
  ChipChipType: 'FILTER PARAMETER',
  CohortTypeE: 'SIMPLE ADVANCED GROUP_BASED BIN_BASED COLUMN_BASED',
  CohortGroupingTypeE: 'GROUP_BASED BIN_BASED COLUMN_BASED',
  ConditionCombineTypeE: 'ALL ANY',
  ComparisonOperatorE: 'EQ NE LT LE GT GE BW CONTAINS NOT_CONTAINS BEGINS_WITH ENDS_WITH',
  TimeBucketE:
    'NO_BUCKET DAILY WEEKLY MONTHLY QUARTERLY YEARLY HOURLY AUTO HOUR_OF_DAY DAY_OF_WEEK DAY_OF_MONTH DAY_OF_QUARTER DAY_OF_YEAR WEEK_OF_MONTH WEEK_OF_QUARTER WEEK_OF_YEAR MONTH_OF_QUARTER MONTH_OF_YEAR QUARTER_OF_YEAR',
  FormatConfigCategoryType: 'NUMBER PERCENTAGE CURRENCY CUSTOM',
  FormatConfigUnit: 'NONE THOUSANDS MILLION BILLION TRILLION AUTO',
  FormatConfigNegativeValueFormat: 'PREFIX_DASH SUFFIX_DASH BRACES_NODASH',
  GeometryTypeEnumProtoE: 'POINT LINE_STRING LINEAR_RING POLYGON MULTI_POINT MULTI_LINE_STRING MULTI_POLYGON GEOMETRY_COLLECTION CIRCLE',
  QueryConstraintsConstraintDateRangeConditionBucket: 'DAY WEEK MONTH QUARTER YEAR',
  ActionObjectApplicationTypeE: 'NONE SLACK SALESFORCE GOOGLE_SHEET',
  ActionContextE: 'NONE PRIMARY MENU CONTEXT_MENU',
  FrequencySpecFrequencyGranularity: 'EVERY_MINUTE HOURLY DAILY WEEKLY MONTHLY',
  ActionTypeE: 'CALLBACK URL',
  AvailabilityContentTypeE: 'GLOBAL LOCAL',
  UrlActionDetailsAuthenticationTypeE: 'NONE BASIC BEARER API_KEY',
};

export const MESSAGES: Readonly<Record<string, string>> = {
  ChartVizProtoChartSpecificColumn: 'type:ChartVizProtoChartSpecificColumnType',
  Chip: 'object_id:s type:ChipChipType',
  FilterCondition: 'column_id:s operator:ComparisonOperatorE value:s[] column_name:s',
  CohortGroup: 'name:s conditions:FilterCondition[] combine_type:ConditionCombineTypeE',
  CohortBin: 'minimum_value:d maximum_value:d bin_size:d',
  FormatConfig:
    'category:FormatConfigCategoryType numberFormatConfig:FormatConfigNumberFormatConfig percentageFormatConfig:FormatConfigPercentageFormatConfig currencyFormatConfig:FormatConfigCurrencyFormatConfig customFormatConfig:FormatConfigCustomFormatConfig isCategoryEditable:b',
  FormatConfigNumberFormatConfig: 'unit:FormatConfigUnit decimals:d negativeValueFormat:FormatConfigNegativeValueFormat toSeparateThousands:b removeTrailingZeroes:b',
  FormatConfigPercentageFormatConfig: 'decimals:d removeTrailingZeroes:b',
  FormatConfigCurrencyFormatConfig: 'locale:s unit:FormatConfigUnit decimals:d toSeparateThousands:b removeTrailingZeroes:b',
  FormatConfigCustomFormatConfig: 'format:s',
  KeyValueStr: 'key:s value:s',
  QueryConstraints: 'constraint:QueryConstraintsConstraint[]',
  QueryConstraintsConstraint: 'table:s condition:QueryConstraintsConstraintCondition[] active:b',
  QueryConstraintsConstraintDateRangeCondition: 'column:s duration:i bucket:QueryConstraintsConstraintDateRangeConditionBucket',
  QueryConstraintsConstraintCondition: 'date_range_condition:QueryConstraintsConstraintDateRangeCondition',
  ChartVizConfigCustomChartDimension: 'key:s columns:s[]',
  ChartVizConfigCustomChartConfig: 'key:s dimensions:ChartVizConfigCustomChartDimension[]',
  FrequencySpec: 'cron:FrequencySpecCronFrequencySpec time_zone:s start_time:i end_time:i frequency_granularity:FrequencySpecFrequencyGranularity',
  FrequencySpecCronFrequencySpec: 'second:s minute:s hour:s day_of_month:s month:s day_of_week:s',
  ConstantValue: 'value:d',
  SimpleConditionInfo: 'comparator:Comparator threshold:ConstantValue',
  PercentageChangeConditionInfo: 'comparator:PercentageChangeComparator threshold:ConstantValue',
  ConditionInfo: 'simple_condition:SimpleConditionInfo percentage_change_condition:PercentageChangeConditionInfo',
  MetricId: 'pinboard_viz_id:MetricIdPinboardVizId answer_id:s personalised_view_id:s',
  MetricIdPinboardVizId: 'pinboard_id:s viz_id:s',
  AttributeInfo: 'id:s values:s[] answer_id:s',
  ColumnProperties:
    'column_type:s aggregation:s index_type:s index_priority:d synonyms:s[] is_attribution_dimension:b is_additive:b calendar:s format_pattern:s currency_type:ColumnPropertiesCurrencyFormat is_hidden:b geo_config:ColumnPropertiesGeoConfigProto spotiq_preference:s search_iq_preferred:b hierarchical_column_name:s synonym_type:s value_casing:s custom_order:s[] use_cases:s[] is_mandatory:b is_strict_date_column:b default_date_bucket:TimeBucketE is_time_bucket_restricted:b is_mandatory_token_filter:b',
  ColumnPropertiesCurrencyFormat: 'is_browser:b column:s iso_code:s',
  ColumnPropertiesGeoConfigProto: 'latitude:b longitude:b country:b region_name:ColumnPropertiesGeoConfigProtoSubRegion custom_file_guid:s geometryType:GeometryTypeEnumProtoE',
  ColumnPropertiesGeoConfigProtoSubRegion: 'country:s region_name:s',
  FormulaProperties: 'column_type:s aggregation:s',
  Formula: 'id:s name:s expr:s properties:FormulaProperties was_auto_generated:b',
  Parameter:
    'id:s name:s data_type:s default_value:s list_config:ParameterListConfig list_column_id:s range_config:ParameterRangeConfig sap_parameter_name:s linked_parameters:s[] description:s is_hidden:b',
  ParameterListConfig: 'list_choice:ParameterListConfigListChoice[]',
  ParameterListConfigListChoice: 'value:s display_name:s',
  ParameterRangeConfig: 'range_min:s range_max:s include_min:b include_max:b',
  DateFilterProto:
    'type:s number:i date:s oper:s date_range:DateFilterProtoDateRange date_period:s for_each_period:s year:i quarter:s month:s week_day:s year_name:s quarter_name:s month_name:s week_day_name:s',
  DateFilterProtoDateRange: 'start_date:s end_date:s',
  Filter: 'column:s[] oper:s values:s[] excluded_visualizations:s[] is_mandatory:b date_filter:DateFilterProto is_single_value:b display_name:s',
  Join: 'id:s name:s source:s destination:s on:s[] type:s is_one_to_one:b',
  RelationEDocProto: 'name:s description:s source:Identity destination:Identity on:s type:s is_one_to_one:b relation_id:s',
  TablePath: 'id:s table:s join_path:TablePathJoinPath[] column:s[]',
  TablePathJoinPath: 'join:s[]',
  Identity: 'id:s name:s fqn:s reference_object_id:s',
  ObjectEDocProto:
    'guid:s object_id:s view:ViewEDocProto answer:AnswerEDocProto pinboard:PinboardEDocProto table:LogicalTableEDocProto joins:RelationEDocProto[] permissions:ObjectPermissions[] sql_view:SqlViewEDocProto liveboard:PinboardEDocProto monitor_alert:MonitorAlertEDocProto[] connection:ConnectionDoc hidden:b cohort:CohortEDocProto action_object:ActionObjectEDocProto role_object:RoleEDocProto group_object:GroupEdocProto user_object:UserEdocProto is_demo_data:b model:WorksheetEDocProto worksheet:WorksheetEDocProto',
  Schema: 'tables:SchemaSchemaTable[]',
  SchemaInPlaceJoin: 'with:s referencing_join:s on:s type:s cardinality:s',
  SchemaSchemaTable: 'name:s alias:s fqn:s joins:SchemaInPlaceJoin[] reference_object_id:s',
  WorksheetEDocProto:
    'name:s description:s tables:Identity[] joins:Join[] schema:Schema model_tables:SchemaSchemaTable[] table_paths:TablePath[] formulas:Formula[] filters:Filter[] worksheet_columns:WorksheetEDocProtoWorksheetColumn[] columns:WorksheetEDocProtoWorksheetColumn[] properties:WorksheetEDocProtoQueryProperties joins_with:RelationEDocProto[] generation_type:s lesson_plans:LessonPlanEDocProto[] parameters:Parameter[] action_object_associations:ActionObjectAssociationEdocProto[] use_cases:WorksheetEDocProtoUseCase[] column_groups:WorksheetEDocProtoColumnGroup[] constraints:QueryConstraints',
  WorksheetEDocProtoQueryProperties: 'is_bypass_rls:b join_progressive:b config:SageConfigProto',
  WorksheetEDocProtoWorksheetColumn: 'name:s description:s column_id:s formula_id:s properties:ColumnProperties data_panel_column_groups:s{}',
  WorksheetEDocProtoUseCase: 'name:s display_name:s description:s',
  WorksheetEDocProtoProperty: 'status:s default_sort:s',
  WorksheetEDocProtoColumnGroupInfo: 'name:s include_ungrouped_columns:b',
  WorksheetEDocProtoColumnGroup: 'type:s properties:WorksheetEDocProtoProperty column_group_info:WorksheetEDocProtoColumnGroupInfo[]',
  LessonPlanEDocProto: 'lesson_id:i lesson_plan_string:s',
  ViewEDocProto:
    'name:s description:s tables:Identity[] joins:Join[] table_paths:TablePath[] formulas:Formula[] search_query:s view_columns:ViewEDocProtoViewColumn[] joins_with:RelationEDocProto[] parameters:Parameter[]',
  ViewEDocProtoViewColumn: 'name:s description:s search_output_column:s properties:ColumnProperties',
  ConnectionDoc: 'name:s type:s authentication_type:s properties:KeyValueStr[] table:ConnectionDocTableDoc[] description:s connection_configurations:ConnectionDocConnectionConfigurationDoc[]',
  ConnectionDocTableDoc: 'name:s id:s external_table:ConnectionDocTableDocExternalTableMapping column:ConnectionDocTableDocColumnDoc[]',
  ConnectionDocTableDocExternalTableMapping: 'db_name:s schema_name:s table_name:s',
  ConnectionDocTableDocColumnDoc: 'name:s id:s data_type:s external_column:s',
  ConnectionDocConnectionConfigurationDoc:
    'id:s name:s authentication_type:s properties:KeyValueStr[] query_triggers:QueryTriggerE[] user_group_ids:s[] policy_type:s disabled:b description:s',
  ConditionalFormattingProto: 'rule:ConditionalFormattingProtoRule[]',
  ConditionalFormattingProtoRange: 'min:d max:d',
  ConditionalFormattingProtoRule: 'range:ConditionalFormattingProtoRange color:s plotAsBand:b',
  TableVisualization: 'table_columns:TableVisualizationTableColumn[] ordered_column_ids:s[] show_grid_summary:b show_table_footer:b wrap_table_header:b client_state:s client_state_v2:s',
  TableVisualizationTableColumn: 'column_id:s conditional_formatting:ConditionalFormattingProto wrap_column_text:b column_width:i show_headline:b headline_aggregation:s headline_client_state:s',
  ChartVisualization:
    'type:s chart_columns:ChartVisualizationChartColumn[] axis_configs:ChartVisualizationAxisConfig[] locked:b client_state:s client_state_v2:s custom_chart_config:ChartVizConfigCustomChartConfig[] custom_chart_name:s custom_visual_props:s',
  ChartVisualizationChartColumn: 'column_id:s conditional_formatting:ConditionalFormattingProto show_data_labels:b type:ChartVizProtoChartSpecificColumnType',
  ChartVisualizationAxisConfig: 'x:s[] y:s[] color:s[] size:s hidden:s[] category:s[] sort:s[] measure_values:s[]',
  AnswerEDocProto:
    'name:s description:s tables:Identity[] joins:Join[] table_paths:TablePath[] formulas:Formula[] search_query:s answer_columns:AnswerEDocProtoAnswerColumn[] table:TableVisualization chart:ChartVisualization display_mode:s client_state:s parameters:Parameter[] parameter_values:s{} action_object_associations:ActionObjectAssociationEdocProto[]',
  AnswerEDocProtoAnswerColumn: 'id:s name:s custom_name:s format:FormatConfig',
  CohortEDocProto: 'name:s description:s answer:AnswerEDocProto cohort_config:CohortEDocProtoCohortConfig referenced_cohorts:s[] owner:s config:CohortEDocProtoCohortConfig worksheet:Identity',
  CohortEDocProtoCohortConfig:
    'anchor_column:AnswerEDocProtoAnswerColumn[] return_column:AnswerEDocProtoAnswerColumn null_output_value:s combine_non_group_values:b cohort_type:CohortTypeE cohort_grouping_type:CohortGroupingTypeE groups:CohortGroup[] bins:CohortBin base_column:s worksheet:Identity',
  NoteTileEDocProto: 'html_parsed_string:s',
  UrlActionDetails: 'url:s reference:s authentication:UrlActionDetailsAuthentication url_query_params:UrlActionDetailsUrlQueryParam[]',
  UrlActionDetailsBasic: 'username:s password:s',
  UrlActionDetailsBearerToken: 'token:s',
  UrlActionDetailsApiKey: 'key:s value:s',
  UrlActionDetailsAuthentication: 'type:UrlActionDetailsAuthenticationTypeE basic:UrlActionDetailsBasic bearer_token:UrlActionDetailsBearerToken api_key:UrlActionDetailsApiKey',
  UrlActionDetailsUrlQueryParam: 'id:s key:s value:s',
  CallbackActionDetails: 'reference:s',
  ActionObjectEDocProto:
    'name:s type:ActionTypeE callback_action_details:CallbackActionDetails url_action_details:UrlActionDetails availability:AvailabilityContentTypeE application:ActionObjectApplicationTypeE user_groups:s[]',
  ActionObjectAssociationEdocProto: 'action_id:s action_name:s context:ActionContextE enabled:b',
  PinnedVisualization: 'id:s answer:AnswerEDocProto display_headline_column:s generic_viz_sub_type:s viz_guid:s note_tile:NoteTileEDocProto action_object_associations:ActionObjectAssociationEdocProto[]',
  PinboardLayout: 'tabs:PinboardLayoutTab[] tiles:PinboardLayoutTile[]',
  PinboardLayoutTab: 'name:s description:s tiles:PinboardLayoutTile[] id:s',
  PinboardLayoutTile: 'visualization_id:s size:s x:i y:i height:i width:i',
  PinboardParameterOverrideEDoc: 'name:s id:s excluded_container_id:s[] override_value:s secondary_parameter:s[]',
  PinboardEDocProto:
    'name:s description:s tables:Identity[] visualizations:PinnedVisualization[] filters:Filter[] layout:PinboardLayout parameters:Parameter[] parameter_overrides:PinboardParameterOverrideEDoc{} views:PersonalisedViewEDocProto[] ordered_chips:OrderedChipEDocProto[]',
  OrderedChipEDocProto: 'name:s type:ChipChipType',
  PersonalisedViewEDocProto: 'view_guid:s name:s view_filters:Filter[] is_public:b view_parameters:PinboardParameterOverrideEDoc[]',
  LogicalTableEDocProto:
    'name:s description:s db:s schema:s db_table:s connection:Identity columns:LogicalTableEDocProtoLogicalColumnEDocProto[] rls_rules:LogicalTableEDocProtoRlsRule joins_with:RelationEDocProto[] parameters:Parameter[] dataset_id:s properties:LogicalTableEDocProtoProperties',
  LogicalTableEDocProtoRlsRule: 'tables:Identity[] joins:Join[] table_paths:TablePath[] rules:LogicalTableEDocProtoRlsRuleRule[] table:Identity',
  LogicalTableEDocProtoRlsRuleRule: 'name:s expr:s rule_id:s',
  LogicalTableEDocProtoLogicalColumnEDocProto: 'name:s description:s db_column_name:s properties:ColumnProperties db_column_properties:LogicalTableEDocProtoDbColumnProperties',
  LogicalTableEDocProtoDbColumnProperties: 'data_type:s',
  LogicalTableEDocProtoProperties: 'config:SageConfigProto',
  ObjectPermissions: 'columns:s[] access_type:s users:s[] user_groups:s[]',
  SqlViewEDocProto: 'name:s description:s connection:Identity sql_query:s sql_view_columns:SqlViewEDocProtoSqlViewColumn[] joins_with:RelationEDocProto[]',
  SqlViewEDocProtoSqlViewColumn: 'name:s description:s sql_output_column:s properties:ColumnProperties',
  MonitorAlertEDocProto:
    'guid:s name:s frequency_spec:FrequencySpec creator:MonitorAlertEDocProtoUser condition:ConditionInfo metric_id:MetricId subscribed_user:MonitorAlertEDocProtoUser[] custom_message:s personalised_view_info:MonitorAlertEDocProtoPersonalisedViewInfo alert_type:AlertType attribute_info:AttributeInfo',
  MonitorAlertEDocProtoUser: 'username:s user_email:s',
  MonitorAlertEDocProtoPersonalisedViewInfo: 'tables:Identity[] filters:Filter[] parameter_overrides:PinboardParameterOverrideEDoc[]',
  RoleEDocProto: 'name:s description:s privileges:s[] org_name:s',
  GroupDependency: 'name:s org_name:s',
  RoleDependency: 'name:s org_name:s',
  GroupEdocProto: 'name:s description:s org_name:s display_name:s visibility:s privileges:s[] roles:RoleDependency[] groups:GroupDependency[]',
  UserEdocProto: 'name:s email:s display_name:s visibility:s description:s org_names:s[] groups:GroupDependency[]',
  SageConfigProto: 'is_sage_enabled:b',
};

/**
 * Fields that ThoughtSpot's exports carry and the definitions above do not have yet (ThoughtSpot's
 * builds move faster than its published library), each seen in real exports of
 * test/fixtures/real-tml (the file named in brackets), with the type its values have there. Merged
 * into MESSAGES (schema/check.ts), so that a real export gets no unknown-field warning. The
 * messages named `Exported…` are ours: the definitions have no name for those shapes.
 */
export const EXPORTED_FIELDS: Readonly<Record<string, string>> = {
  // [model/ts_version_control--retail_apparel_with_ago…table.tml]; `sync_with_source` [model/ts_version_control--Chasm Trap Example…]
  ColumnProperties: 'ai_context:s sync_with_source:b',
  // [table/ts_version_control--DIM_RETAPP_STORES…], [model/ts_version_control--Chasm Trap Example…]
  LogicalTableEDocProtoProperties: 'spotter_config:ExportedSpotterConfig',
  WorksheetEDocProtoQueryProperties: 'spotter_config:ExportedSpotterConfig',
  ExportedSpotterConfig: 'is_spotter_enabled:b',
  // [liveboard/de_thoughtspot_cicd--Sites csv…]
  AnswerEDocProtoAnswerColumn: 'dynamic_title:s sort_info:ExportedSortInfo',
  ExportedSortInfo: 'category:s',
  // [answer/de_thoughtspot_cicd--Testing CI_CD…], [liveboard/ts_version_control--Bibek_Params…]
  AnswerEDocProto: 'dynamic_name:s dynamic_description:s',
  ChartVisualization: 'viz_style:s',
  // [liveboard/de_thoughtspot_cicd--Tenant Configurations…]: style_properties of name/value pairs;
  // [liveboard/ts_version_control--Mike's Demo With Styling…], [liveboard/ts_version_control--Chasm Trap Example…]:
  // groups (sections) laid out in `group_layouts` inside a tab, style overrides per group or tile
  PinboardEDocProto: 'style:ExportedLiveboardStyle groups:ExportedLiveboardGroup[]',
  ExportedLiveboardStyle: 'style_properties:ExportedStyleProperty[] overrides:ExportedStyleOverride[]',
  ExportedStyleProperty: 'name:s value:s',
  ExportedStyleOverride: 'object_id:s style_properties:ExportedStyleProperty[]',
  ExportedLiveboardGroup: 'id:s name:s description:s visualizations:s[] group_guid:s',
  PinboardLayoutTab: 'group_layouts:ExportedGroupLayout[]',
  ExportedGroupLayout: 'id:s tiles:PinboardLayoutTile[]',
  // the same two liveboards: a date filter's `include_current_period`, and axes of custom charts
  DateFilterProto: 'include_current_period:b',
  ChartVizConfigCustomChartDimension: 'axes:ExportedCustomChartAxis[] mode:s',
  ExportedCustomChartAxis: 'type:s column:s columns:s[]',
  // obj_id next to name/fqn in references [model/ts_version_control--retail_apparel_with_ago…], [table/ts_version_control--dim_retapp_products…]
  Identity: 'obj_id:s',
  SchemaSchemaTable: 'obj_id:s',
  // [table/ts_version_control--…] joins_with with cardinality; [cohort/thoughtspot_tml--DUMMY_*] column ids
  RelationEDocProto: 'cardinality:s',
  // and [cohort/ts_agent_skills--Customer State set…]: a query set (ADVANCED, COLUMN_BASED) exported
  // in 2026, whose excluded values are hidden or grouped under a label, and its pass-through filter
  CohortEDocProtoCohortConfig:
    'anchor_column_id:s return_column_id:s hide_excluded_query_values:b group_excluded_query_values:s pass_thru_filter:ExportedPassThruFilter',
  ExportedPassThruFilter: 'accept_all:b',
  // [cohort/ts_agent_skills--Focus Categories…]: the type of a set group's condition values; a
  // hand-made file that ThoughtSpot imported (its source says so), not seen in an export yet
  FilterCondition: 'filter_value_type:s',
  // geometryType's name in the library's older definitions (commit 3cb6590658521191ce4899ef44b6fdbe68444cc8)
  ColumnPropertiesGeoConfigProto: 'geometry_type:GeometryTypeEnumProtoE',
};
